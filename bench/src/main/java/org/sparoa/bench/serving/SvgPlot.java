package org.sparoa.bench.serving;

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
 * Small SVG line charts against offered load, one line per batching mode: p99 latency (log scale, the objective
 * dashed) and goodput (requests answered within the objective per second). {@code main(csv, outPrefix)} draws both
 * from a {@code serving-load*.csv} that {@link ServingBenchmark} wrote.
 */
final class SvgPlot {
    private static final String[] COLOURS = {"#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#7f7f7f", "#ff7f0e"};
    private static final double W = 720;
    private static final double H = 420;
    private static final double LEFT = 70;
    private static final double BOTTOM = 50;
    private static final double TOP = 20;
    private static final double RIGHT = 150;

    private SvgPlot() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: SvgPlot SERVING_LOAD_CSV OUT_PREFIX (writes OUT_PREFIX-p99.svg "
                    + "and OUT_PREFIX-goodput.svg)");
        }
        List<String> lines = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8);
        List<String> header = List.of(lines.get(0).split(","));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",");
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("mode", cells[header.indexOf("mode")]);
            for (String column : List.of("offeredPerSecond", "p99Ms", "goodputPerSecond")) {
                r.put(column, Double.parseDouble(cells[header.indexOf(column)]));
            }
            rows.add(r);
        }
        p99AgainstLoad(rows, ServingBenchmark.SLO_MS, Path.of(args[1] + "-p99.svg"));
        goodputAgainstLoad(rows, ServingBenchmark.SLO_MS, Path.of(args[1] + "-goodput.svg"));
    }

    static void p99AgainstLoad(List<Map<String, Object>> rows, double sloMs, Path file) throws IOException {
        double minLog = Math.log10(0.5);
        double maxLog = Math.log10(5000);
        Axis axis = v -> 1 - (Math.log10(Math.max(0.5, Math.min(5000, v))) - minLog) / (maxLog - minLog);
        StringBuilder svg = frame(rows, "p99 latency");
        for (double v : new double[] {1, 10, 100, 1000}) {
            gridLine(svg, axis, v, (long) v + " ms");
        }
        double sloY = TOP + plotHeight() * axis.fraction(sloMs);
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\" "
                + "stroke-dasharray=\"4 4\"/><text x=\"%.1f\" y=\"%.1f\">SLO %.0f ms</text>%n", LEFT, sloY, LEFT
                + plotWidth(), sloY, LEFT + plotWidth() + 4, sloY + 4, sloMs));
        lines(svg, rows, "p99Ms", axis);
        Files.writeString(file, svg, StandardCharsets.UTF_8);
    }

    static void goodputAgainstLoad(List<Map<String, Object>> rows, double sloMs, Path file) throws IOException {
        double max = rows.stream().mapToDouble(r -> (Double) r.get("goodputPerSecond")).filter(v -> !Double.isNaN(v))
                .max().orElse(1);
        double top = Math.ceil(max / 250) * 250;
        Axis axis = v -> 1 - Math.max(0, Math.min(top, v)) / top;
        StringBuilder svg = frame(rows, String.format(Locale.ROOT, "goodput (answers within %.0f ms per s)", sloMs));
        for (double v = 0; v <= top; v += 250) {
            gridLine(svg, axis, v, String.valueOf((long) v));
        }
        lines(svg, rows, "goodputPerSecond", axis);
        Files.writeString(file, svg, StandardCharsets.UTF_8);
    }

    /** Where a value lies on the vertical axis: 0 at the top of the plot, 1 at the bottom. */
    private interface Axis {
        double fraction(double value);
    }

    private static double plotWidth() {
        return W - LEFT - RIGHT;
    }

    private static double plotHeight() {
        return H - TOP - BOTTOM;
    }

    private static double maxRate(List<Map<String, Object>> rows) {
        return rows.stream().mapToDouble(r -> (Double) r.get("offeredPerSecond")).max().orElse(1);
    }

    private static StringBuilder frame(List<Map<String, Object>> rows, String yLabel) {
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", W, H));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        double maxRate = maxRate(rows);
        for (int i = 0; i <= 5; i++) {
            double rate = maxRate * i / 5;
            double x = LEFT + plotWidth() * rate / maxRate;
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.0f</text>%n", x,
                    TOP + plotHeight() + 18, rate));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">offered load "
                + "(requests/s, Poisson), PP-OCR cls over HTTP</text>%n", LEFT + plotWidth() / 2, H - 10));
        svg.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%.1f\" transform=\"rotate(-90 14 %.1f)\" "
                + "text-anchor=\"middle\">%s</text>%n", TOP + plotHeight() / 2, TOP + plotHeight() / 2, yLabel));
        return svg;
    }

    private static void gridLine(StringBuilder svg, Axis axis, double value, String label) {
        double y = TOP + plotHeight() * axis.fraction(value);
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                + "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT, y, LEFT + plotWidth(), y,
                LEFT - 6, y + 4, label));
    }

    private static void lines(StringBuilder svg, List<Map<String, Object>> rows, String column, Axis axis) {
        Map<String, StringBuilder> lines = new LinkedHashMap<>();
        double maxRate = maxRate(rows);
        for (Map<String, Object> r : rows) {
            double v = (Double) r.get(column);
            if (Double.isNaN(v)) {
                continue;
            }
            double x = LEFT + plotWidth() * (Double) r.get("offeredPerSecond") / maxRate;
            double y = TOP + plotHeight() * axis.fraction(v);
            lines.computeIfAbsent((String) r.get("mode"), k -> new StringBuilder())
                    .append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        int i = 0;
        for (Map.Entry<String, StringBuilder> e : lines.entrySet()) {
            String c = COLOURS[i % COLOURS.length];
            svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
                    + "points=\"%s\"/>%n", c, e.getValue().toString().trim()));
            double ly = TOP + 20 + 18 * i;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                    + "stroke-width=\"2\"/><text x=\"%.1f\" y=\"%.1f\">%s</text>%n", LEFT + plotWidth() + 10, ly,
                    LEFT + plotWidth() + 30, ly, c, LEFT + plotWidth() + 34, ly + 4, e.getKey()));
            i++;
        }
        svg.append("</svg>\n");
    }
}
