package org.sparoa.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A grouped bar chart (SVG) of a device check's part (c) ({@code models.csv} of {@link CudaDeviceCheck}): per model
 * and sparsity, each contender's median latency relative to plain ONNX Runtime (lower is faster), so that models of
 * different sizes share one axis.
 * <pre>
 * java -cp "target/classes:target/lib/*" org.sparoa.bench.DeviceCheckChart results/cuda-h200/check-bc/models.csv \
 *     results/cuda-h200/policies.svg "H200 + 16-core Xeon"
 * </pre>
 */
public final class DeviceCheckChart {
    private static final String[] CONTENDERS = {"single:cuda-gpu", "single:ort-cpu", "single:sparse-cpu", "greedy",
        "threshold"};
    private static final String[] COLOURS = {"#2ca02c", "#1f77b4", "#ff7f0e", "#9467bd", "#d62728"};

    private DeviceCheckChart() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: DeviceCheckChart MODELS.csv OUT.svg [MACHINE]");
        }
        Map<String, Map<String, Double>> groups = read(Path.of(args[0]));
        if (groups.isEmpty()) {
            throw new IllegalArgumentException(args[0] + " has no timed rows (part c)");
        }
        Files.writeString(Path.of(args[1]), svg(groups, args.length > 2 ? args[2] : ""), StandardCharsets.UTF_8);
        System.out.println("wrote " + args[1] + ": " + groups.size() + " model/sparsity points");
    }

    /** "model sparsity %" -> contender -> latency / plain ONNX Runtime, for the rows with a timing. */
    static Map<String, Map<String, Double>> read(Path csv) throws IOException {
        Map<String, Map<String, Double>> groups = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            if (f.length < 7 || f[6].isEmpty()) {
                continue; // a correctness-only row (part b without c)
            }
            groups.computeIfAbsent(f[0] + " " + f[2] + " %", k -> new LinkedHashMap<>())
                    .put(f[3], Double.parseDouble(f[6]));
        }
        return groups;
    }

    static String svg(Map<String, Map<String, Double>> groups, String machine) {
        double barW = 9;
        double groupGap = 14;
        double groupW = CONTENDERS.length * barW + groupGap;
        double left = 60;
        double top = 50;
        double ph = 300;
        double w = left + groups.size() * groupW + 20;
        double h = top + ph + 120;
        double yMax = Math.max(1.5, Math.ceil(groups.values().stream().flatMap(g -> g.values().stream())
                .mapToDouble(Double::doubleValue).max().orElse(1) * 4) / 4);
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\""
                + " font-family=\"sans-serif\" font-size=\"11\">%n", w, h));
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"18\" text-anchor=\"middle\" font-size=\"13\">Latency"
                + " relative to plain ONNX Runtime (lower is faster)%s</text>%n", w / 2,
                machine.isEmpty() ? "" : ", " + escape(machine)));
        for (double v = 0; v <= yMax + 1e-9; v += 0.25) {
            double y = top + ph * (1 - v / yMax);
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>"
                    + "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>%n", left, y, w - 20, y,
                    Math.abs(v - 1) < 1e-9 ? "#444" : "#ddd", left - 6, y + 4, v));
        }
        int g = 0;
        for (Map.Entry<String, Map<String, Double>> e : groups.entrySet()) {
            double x0 = left + g * groupW + groupGap / 2;
            for (int c = 0; c < CONTENDERS.length; c++) {
                Double v = e.getValue().get(CONTENDERS[c]);
                if (v == null) {
                    continue;
                }
                double bh = ph * Math.min(v, yMax) / yMax;
                s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\""
                        + " fill=\"%s\"><title>%s %s: %.3f</title></rect>%n", x0 + c * barW, top + ph - bh,
                        barW - 1, bh, COLOURS[c], escape(e.getKey()), CONTENDERS[c], v));
            }
            double cx = x0 + CONTENDERS.length * barW / 2;
            s.append(String.format(Locale.ROOT, "<text transform=\"translate(%.1f,%.1f) rotate(-45)\""
                    + " text-anchor=\"end\">%s</text>%n", cx, top + ph + 14, escape(e.getKey())));
            g++;
        }
        List<String> legend = new ArrayList<>(List.of(CONTENDERS));
        for (int c = 0; c < legend.size(); c++) {
            double lx = left + c * 120;
            s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"28\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                    + "<text x=\"%.1f\" y=\"37\">%s</text>%n", lx, COLOURS[c], lx + 14, legend.get(c)));
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
