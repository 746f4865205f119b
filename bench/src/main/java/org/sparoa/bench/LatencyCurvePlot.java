package org.sparoa.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** A small SVG line chart: latency (linear, ms) against request number, one line per contender. */
final class LatencyCurvePlot {
    private static final String[] COLOURS = {"#d62728", "#1f77b4", "#2ca02c", "#9467bd"};

    private LatencyCurvePlot() {
    }

    /** {@code curves}: contender -> latency in ms of requests {@code firstRequest}, {@code firstRequest + 1}, ... */
    static void write(Map<String, double[]> curves, int firstRequest, String xLabel, String title, Path file)
            throws IOException {
        double w = 760;
        double h = 420;
        double left = 60;
        double right = 20;
        double top = 40;
        double bottom = 50;
        double pw = w - left - right;
        double ph = h - top - bottom;
        int n = curves.values().stream().mapToInt(c -> c.length).max().orElse(1);
        double max = curves.values().stream().flatMapToDouble(java.util.Arrays::stream).max().orElse(1);
        double yMax = niceCeiling(max);
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\""
                + " font-family=\"sans-serif\" font-size=\"12\">%n", w, h));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"20\" text-anchor=\"middle\">%s</text>%n",
                left + pw / 2, title));
        for (int i = 0; i <= 5; i++) {
            double v = yMax * i / 5;
            double y = top + ph * (1 - v / yMax);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.0f ms</text>%n", left, y, left + pw, y,
                    left - 6, y + 4, v));
        }
        for (int i = 0; i < n; i += Math.max(1, n / 10)) {
            double x = left + pw * i / Math.max(1, n - 1);
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>%n", x,
                    top + ph + 18, i + firstRequest));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>%n",
                left + pw / 2, h - 10, xLabel));
        int c = 0;
        for (Map.Entry<String, double[]> e : curves.entrySet()) {
            StringBuilder pts = new StringBuilder();
            double[] v = e.getValue();
            for (int i = 0; i < v.length; i++) {
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + pw * i / Math.max(1, n - 1),
                        top + ph * (1 - Math.min(v[i], yMax) / yMax)));
            }
            String colour = COLOURS[c % COLOURS.length];
            svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" "
                    + "points=\"%s\"/>%n", colour, pts.toString().trim()));
            double ly = top + 14 + 16 * c;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                    + "stroke-width=\"2\"/><text x=\"%.1f\" y=\"%.1f\">%s</text>%n", left + pw - 230, ly,
                    left + pw - 210, ly, colour, left + pw - 205, ly + 4, e.getKey()));
            c++;
        }
        svg.append("</svg>\n");
        Files.writeString(file, svg, StandardCharsets.UTF_8);
    }

    private static double niceCeiling(double v) {
        double step = Math.pow(10, Math.floor(Math.log10(Math.max(v, 1e-3))));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * step >= v) {
                return m * step;
            }
        }
        return 10 * step;
    }
}
