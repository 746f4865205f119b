package org.sparoa.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A grouped bar chart (SVG) of a benchmark's CSV: per model and sparsity, each contender's median latency relative to
 * plain ONNX Runtime (lower is faster), so that models of different sizes share one axis. Reads the columns by their
 * names ({@code model}, {@code sparsity_pct}, {@code contender} and the ratio to plain ONNX Runtime: {@code vs_ort},
 * {@code ratio_vs_ort_plain} or {@code ratio_vs_ort_p50}), so it draws the CSVs of {@link CudaDeviceCheck} (part c),
 * {@link SacEvaluation} and {@link PolicyBenchmark} alike; the contenders drawn are the file's, plain ONNX Runtime
 * (the axis' 1) and {@code random} (off the scale) left out, or those named.
 * <pre>
 * java -cp "target/classes:target/lib/*" org.sparoa.bench.LatencyChart results/cuda-h200/check-bc/models.csv \
 *     results/cuda-h200/policies.svg "H200 + 16-core Xeon"
 * java -cp "target/classes:target/lib/*" org.sparoa.bench.LatencyChart \
 *     results/sac-policies-2026-12-06-earlier-rounds.csv results/sac-policies-2026-12-06-earlier-rounds.svg \
 *     "2-core AMD EPYC" single:ort-cpu,single:sparse-cpu,greedy,threshold,sac,oracle
 * </pre>
 */
public final class LatencyChart {
    private static final String[] COLOURS = {"#2ca02c", "#1f77b4", "#ff7f0e", "#9467bd", "#d62728", "#8c564b",
        "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
    private static final List<String> RATIO_COLUMNS = List.of("vs_ort", "ratio_vs_ort_plain", "ratio_vs_ort_p50");
    private static final Set<String> LEFT_OUT = Set.of("onnxruntime", "ort", "random");

    private LatencyChart() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: LatencyChart RESULTS.csv OUT.svg [MACHINE] [CONTENDER,...]");
        }
        Map<String, Map<String, Double>> groups = read(Path.of(args[0]));
        if (groups.isEmpty()) {
            throw new IllegalArgumentException(args[0] + " has no timed rows");
        }
        List<String> contenders = args.length > 3 ? List.of(args[3].split(",")) : contenders(groups);
        Files.writeString(Path.of(args[1]), svg(groups, contenders, args.length > 2 ? args[2] : ""),
                StandardCharsets.UTF_8);
        System.out.println("wrote " + args[1] + ": " + groups.size() + " model/sparsity points, " + contenders);
    }

    /**
     * "model sparsity %" -> contender -> latency / plain ONNX Runtime, for the rows with a timing (lines starting with
     * {@code #} are the file's notes).
     */
    static Map<String, Map<String, Double>> read(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8).stream()
                .filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
        if (lines.isEmpty()) {
            return Map.of();
        }
        List<String> header = List.of(lines.get(0).split(",", -1));
        int model = column(header, List.of("model"), csv);
        int sparsity = column(header, List.of("sparsity_pct"), csv);
        int contender = column(header, List.of("contender"), csv);
        int ratio = column(header, RATIO_COLUMNS, csv);
        Map<String, Map<String, Double>> groups = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            if (f.length <= ratio || f[ratio].isEmpty() || f[ratio].equals("NaN")) {
                continue; // a correctness-only row, or one without a timing
            }
            groups.computeIfAbsent(f[model] + " " + f[sparsity] + " %", k -> new LinkedHashMap<>())
                    .put(f[contender], Double.parseDouble(f[ratio]));
        }
        return groups;
    }

    /** The file's contenders in the order they first appear, less plain ONNX Runtime and random placement. */
    static List<String> contenders(Map<String, Map<String, Double>> groups) {
        Set<String> out = new LinkedHashSet<>();
        groups.values().forEach(g -> g.keySet().stream().filter(c -> !LEFT_OUT.contains(c)).forEach(out::add));
        return List.copyOf(out);
    }

    private static int column(List<String> header, List<String> names, Path csv) {
        for (String n : names) {
            int i = header.indexOf(n);
            if (i >= 0) {
                return i;
            }
        }
        throw new IllegalArgumentException(csv + " has no column " + String.join(" or ", names) + "; its columns: "
                + header);
    }

    static String svg(Map<String, Map<String, Double>> groups, List<String> contenders, String machine) {
        return chart(groups, contenders, "Latency relative to plain ONNX Runtime (lower is faster)"
                + (machine.isEmpty() ? "" : ", " + machine));
    }

    /** The chart with its own title; each value is relative to a baseline that the title names (1 on the axis). */
    static String chart(Map<String, Map<String, Double>> groups, List<String> contenders, String title) {
        return chart(groups, contenders, title, Double.POSITIVE_INFINITY);
    }

    /**
     * The chart with its axis cut at {@code yCap} (at least 1.5): longer bars stop there, their values in their
     * tooltips and the cut said under the title.
     */
    static String chart(Map<String, Map<String, Double>> groups, List<String> contenders, String title, double yCap) {
        double barW = 9;
        double groupGap = 14;
        double groupW = contenders.size() * barW + groupGap;
        double left = 60;
        double top = 50;
        double ph = 300;
        double w = left + groups.size() * groupW + 20;
        double h = top + ph + 120;
        double highest = groups.values().stream().flatMap(g -> g.values().stream()).mapToDouble(Double::doubleValue)
                .max().orElse(1);
        double yMax = Math.max(1.5, Math.min(yCap, Math.ceil(highest * 4) / 4));
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\""
                + " font-family=\"sans-serif\" font-size=\"11\">%n", w, h));
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"18\" text-anchor=\"middle\" font-size=\"13\">%s"
                + "</text>%n", w / 2, escape(title)));
        if (highest > yMax) {
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#666\">axis cut"
                    + " at %.2f: longer bars reach %.2f (values in each bar's tooltip)</text>%n", w - 20, top - 4,
                    yMax, highest));
        }
        for (double v = 0; v <= yMax + 1e-9; v += 0.25) {
            double y = top + ph * (1 - v / yMax);
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>"
                    + "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>%n", left, y, w - 20, y,
                    Math.abs(v - 1) < 1e-9 ? "#444" : "#ddd", left - 6, y + 4, v));
        }
        int g = 0;
        for (Map.Entry<String, Map<String, Double>> e : groups.entrySet()) {
            double x0 = left + g * groupW + groupGap / 2;
            for (int c = 0; c < contenders.size(); c++) {
                Double v = e.getValue().get(contenders.get(c));
                if (v == null) {
                    continue;
                }
                double bh = ph * Math.min(v, yMax) / yMax;
                s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\""
                        + " fill=\"%s\"><title>%s %s: %.3f</title></rect>%n", x0 + c * barW, top + ph - bh,
                        barW - 1, bh, COLOURS[c % COLOURS.length], escape(e.getKey()), contenders.get(c), v));
            }
            double cx = x0 + contenders.size() * barW / 2;
            s.append(String.format(Locale.ROOT, "<text transform=\"translate(%.1f,%.1f) rotate(-45)\""
                    + " text-anchor=\"end\">%s</text>%n", cx, top + ph + 14, escape(e.getKey())));
            g++;
        }
        for (int c = 0; c < contenders.size(); c++) {
            double lx = left + c * 120;
            s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"28\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                    + "<text x=\"%.1f\" y=\"37\">%s</text>%n", lx, COLOURS[c % COLOURS.length], lx + 14,
                    escape(contenders.get(c))));
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
