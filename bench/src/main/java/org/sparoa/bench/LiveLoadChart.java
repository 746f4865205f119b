package org.sparoa.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A bar chart (SVG) of {@link LiveLoadDemo} runs: per model and sparsity (one CSV each), the p50 latency during the
 * load of {@code greedy}'s plan made before it and of {@code sac}'s, both relative to {@code greedy} before the load
 * (the axis' 1), with {@code greedy} over {@code sac} written above each pair, and a line at the faster backend alone
 * during the load where the run timed each backend alone.
 * <pre>
 * java -cp "target/classes:target/lib/*" org.sparoa.bench.LiveLoadChart OUT.svg "TITLE" results/live-load-A.csv ...
 * </pre>
 */
public final class LiveLoadChart {

    private LiveLoadChart() {
    }

    /** One run: its label and the p50 of each phase and policy ({@code during/sac}). */
    record Run(String label, Map<String, Double> p50) {
        double get(String phase, String policy) {
            Double v = p50.get(phase + "/" + policy);
            if (v == null) {
                throw new IllegalArgumentException(label + ": no " + phase + " row for " + policy);
            }
            return v;
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            throw new IllegalArgumentException("usage: LiveLoadChart OUT.svg TITLE RESULTS.csv...");
        }
        List<Run> runs = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            runs.add(read(Path.of(args[i])));
        }
        Files.writeString(Path.of(args[0]), svg(args[1], runs), StandardCharsets.UTF_8);
        System.out.println("Wrote " + args[0]);
    }

    static Run read(Path csv) throws IOException {
        String label = null;
        Map<String, Double> p50 = new HashMap<>();
        List<String> header = null;
        for (String line : Files.readAllLines(csv)) {
            if (line.startsWith("# ") && line.contains(" % sparsity")) {
                label = line.substring(2, line.indexOf(" sparsity")).replace(" at ", " ");
            } else if (!line.startsWith("#") && header == null) {
                header = List.of(line.split(","));
                if (!header.containsAll(List.of("phase", "policy", "p50_ms"))) {
                    throw new IllegalArgumentException(csv + " is not a LiveLoadDemo CSV: its columns are " + header);
                }
            } else if (line.isBlank()) {
                continue;
            } else if (!line.startsWith("#")) {
                String[] cells = line.split(",");
                p50.put(cells[header.indexOf("phase")] + "/" + cells[header.indexOf("policy")],
                        Double.parseDouble(cells[header.indexOf("p50_ms")]));
            }
        }
        if (label == null || p50.isEmpty()) {
            throw new IllegalArgumentException(csv + " is not a LiveLoadDemo CSV (no setting line or no rows)");
        }
        return new Run(label, p50);
    }

    static String svg(String title, List<Run> runs) {
        int group = 64;
        int left = 60;
        int top = 50;
        int height = 260;
        int width = Math.max(800, left + group * runs.size() + 20);
        double max = 0;
        for (Run r : runs) {
            double base = r.get("before", "greedy");
            max = Math.max(max, Math.max(r.get("during", "greedy"), r.get("during", "sac")) / base);
        }
        double scale = Math.ceil(max * 2) / 2;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"11\">%n", width, top + height + 125));
        s.append(String.format(Locale.ROOT, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n"
                + "<text x=\"%d\" y=\"18\" font-size=\"13\">%s</text>%n", left, escape(title)));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"34\">p50 during the load relative to greedy before it "
                + "(1 = greedy's plan on idle backends; lower is faster); above: greedy / sac</text>%n", left));
        for (double t = 0; t <= scale + 1e-9; t += 0.5) {
            double y = top + height - t / scale * height;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>%n", left, width - 20, y, y,
                    t == 1 ? "#444" : "#ddd", left - 4, y + 4, t));
        }
        for (int i = 0; i < runs.size(); i++) {
            Run r = runs.get(i);
            double base = r.get("before", "greedy");
            double g = r.get("during", "greedy") / base;
            double a = r.get("during", "sac") / base;
            int x = left + i * group + 8;
            bar(s, x, g, scale, top, height, "#d62728");
            bar(s, x + 22, a, scale, top, height, "#1f77b4");
            Double ort = r.p50().get("during/ort-cpu");
            Double sparse = r.p50().get("during/sparse-cpu");
            if (ort != null && sparse != null) {
                double best = Math.min(ort, sparse) / base;
                s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
                        + "stroke=\"black\" stroke-width=\"2\"/>%n", x - 2, x + 44,
                        top + height - best / scale * height, top + height - best / scale * height));
            }
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"middle\">%.2fx</text>%n",
                    x + 22, top + height - Math.max(g, a) / scale * height - 4, g / a));
            s.append(String.format(Locale.ROOT, "<text transform=\"translate(%d,%d) rotate(40)\">%s</text>%n",
                    x + 10, top + height + 12, escape(r.label())));
        }
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"#d62728\"/>"
                + "<text x=\"%d\" y=\"%d\">greedy: its plan made before the load</text>%n", left, top + height + 105,
                left + 14, top + height + 114));
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"#1f77b4\"/>"
                + "<text x=\"%d\" y=\"%d\">sac: re-planned from the live state</text>%n", left + 250,
                top + height + 105, left + 264, top + height + 114));
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"black\" "
                + "stroke-width=\"2\"/><text x=\"%d\" y=\"%d\">the faster backend alone during the load</text>%n",
                left + 470, left + 490, top + height + 110, top + height + 110, left + 494, top + height + 114));
        return s.append("</svg>\n").toString();
    }

    private static void bar(StringBuilder s, int x, double value, double scale, int top, int height, String colour) {
        double h = value / scale * height;
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.1f\" width=\"20\" height=\"%.1f\" fill=\"%s\"/>%n",
                x, top + height - h, h, colour));
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
