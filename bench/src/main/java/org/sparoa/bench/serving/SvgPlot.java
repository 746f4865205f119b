package org.sparoa.bench.serving;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A small SVG line chart: p99 latency (log scale) against offered load, one line per batching mode. */
final class SvgPlot {
    private static final String[] COLOURS = {"#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#7f7f7f", "#ff7f0e"};

    private SvgPlot() {
    }

    static void p99AgainstLoad(List<Map<String, Object>> rows, double sloMs, Path file) throws IOException {
        Map<String, StringBuilder> lines = new LinkedHashMap<>();
        double maxRate = rows.stream().mapToDouble(r -> (Double) r.get("offeredPerSecond")).max().orElse(1);
        double w = 720;
        double h = 420;
        double left = 70;
        double bottom = 50;
        double top = 20;
        double right = 150;
        double minLog = Math.log10(0.5);
        double maxLog = Math.log10(5000);
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", w, h));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        double pw = w - left - right;
        double ph = h - top - bottom;
        for (double v : new double[] {1, 10, 100, 1000}) {
            double y = top + ph * (1 - (Math.log10(v) - minLog) / (maxLog - minLog));
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s ms</text>%n", left, y, left + pw, y, left - 6,
                    y + 4, v >= 1 ? String.valueOf((long) v) : String.valueOf(v)));
        }
        double sloY = top + ph * (1 - (Math.log10(sloMs) - minLog) / (maxLog - minLog));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\" "
                + "stroke-dasharray=\"4 4\"/><text x=\"%.1f\" y=\"%.1f\">SLO %.0f ms</text>%n", left, sloY, left + pw,
                sloY, left + pw + 4, sloY + 4, sloMs));
        for (int i = 0; i <= 5; i++) {
            double rate = maxRate * i / 5;
            double x = left + pw * rate / maxRate;
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.0f</text>%n", x,
                    top + ph + 18, rate));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">offered load "
                + "(requests/s, Poisson), PP-OCR cls over HTTP</text>%n", left + pw / 2, h - 10));
        svg.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%.1f\" transform=\"rotate(-90 14 %.1f)\" "
                + "text-anchor=\"middle\">p99 latency</text>%n", top + ph / 2, top + ph / 2));
        for (Map<String, Object> r : rows) {
            double p99 = (Double) r.get("p99Ms");
            if (Double.isNaN(p99)) {
                continue;
            }
            double x = left + pw * (Double) r.get("offeredPerSecond") / maxRate;
            double y = top + ph * (1 - (Math.log10(Math.max(0.5, Math.min(5000, p99))) - minLog) / (maxLog - minLog));
            lines.computeIfAbsent((String) r.get("mode"), k -> new StringBuilder())
                    .append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        int i = 0;
        for (Map.Entry<String, StringBuilder> e : lines.entrySet()) {
            String c = COLOURS[i % COLOURS.length];
            svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
                    + "points=\"%s\"/>%n", c, e.getValue().toString().trim()));
            double ly = top + 20 + 18 * i;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                    + "stroke-width=\"2\"/><text x=\"%.1f\" y=\"%.1f\">%s</text>%n", left + pw + 10, ly, left + pw + 30,
                    ly, c, left + pw + 34, ly + 4, e.getKey()));
            i++;
        }
        svg.append("</svg>\n");
        Files.writeString(file, svg, StandardCharsets.UTF_8);
    }
}
