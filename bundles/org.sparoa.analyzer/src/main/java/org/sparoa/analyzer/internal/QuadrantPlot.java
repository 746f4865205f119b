package org.sparoa.analyzer.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.sparoa.api.analysis.ModelAnalysis;
import org.sparoa.api.analysis.OperatorMetrics;
import org.sparoa.api.analysis.Quadrant;
import org.sparoa.api.analysis.Thresholds;

/**
 * The quadrant picture of SparOA: every operator a point at (sparsity, log10 intensity), coloured by operator type,
 * its area proportional to its FLOPs, the two threshold lines and the number of operators in each quadrant.
 * Operators with 0 FLOPs (data movement) have no logarithm: they sit in a strip under the plot. Operators whose
 * sparsity or FLOPs are unknown are not drawn; the subtitle counts them.
 */
public final class QuadrantPlot {
    static final int WIDTH = 1020;
    static final int HEIGHT = 650;
    private static final double X0 = 90;
    private static final double X1 = 720;
    private static final double Y0 = 74;
    private static final double Y1 = 540;
    private static final double ZERO_BAND = 578;
    private static final String[] PALETTE = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
        "#b07aa1", "#ff9da7", "#9c755f"};
    private static final String OTHER = "#9e9e9e";

    private QuadrantPlot() {
    }

    public static String render(ModelAnalysis a) {
        List<OperatorMetrics> drawn = new ArrayList<>();
        for (OperatorMetrics o : a.operators()) {
            if (o.sparsity().isPresent() && o.intensity().isPresent()) {
                drawn.add(o);
            }
        }
        Thresholds t = a.thresholds();
        double[] range = logRange(drawn, t);
        Map<String, String> colours = colours(drawn);
        double maxFlops = drawn.stream().mapToLong(o -> o.flops().getAsLong()).max().orElse(1);

        Svg svg = new Svg(WIDTH, HEIGHT);
        svg.raw("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        quadrantShading(svg, t, range);
        grid(svg, range);
        thresholdLines(svg, t, range);
        drawn.sort(Comparator.comparingLong((OperatorMetrics o) -> o.flops().getAsLong()).reversed());
        for (OperatorMetrics o : drawn) {
            point(svg, o, range, colours, maxFlops);
        }
        axes(svg, range);
        quadrantCounts(svg, a.quadrantCounts(), t, range);
        legend(svg, drawn, colours, maxFlops);
        titles(svg, a, drawn.size());
        return svg.finish();
    }

    /** [low, high] decades of the y axis, covering every positive intensity and the threshold. */
    static double[] logRange(List<OperatorMetrics> drawn, Thresholds t) {
        double lo = Math.log10(t.intensity());
        double hi = lo;
        for (OperatorMetrics o : drawn) {
            double i = o.intensity().getAsDouble();
            if (i > 0) {
                lo = Math.min(lo, Math.log10(i));
                hi = Math.max(hi, Math.log10(i));
            }
        }
        double low = Math.floor(lo);
        double high = Math.ceil(hi);
        if (high <= low) {
            high = low + 1;
        }
        return new double[] {low, high};
    }

    /** Sparsity 0..1 over the plot's width, with a margin on both sides so that points at 0 and 1 stay inside. */
    static double x(double sparsity) {
        double margin = 0.025;
        return X0 + (sparsity + margin) / (1 + 2 * margin) * (X1 - X0);
    }

    static double y(double intensity, double[] range) {
        if (intensity <= 0) {
            return ZERO_BAND;
        }
        return Y1 - (Math.log10(intensity) - range[0]) / (range[1] - range[0]) * (Y1 - Y0);
    }

    /** Operator types by total FLOPs, the heaviest nine with their own colour, the rest grey. */
    static Map<String, String> colours(List<OperatorMetrics> drawn) {
        Map<String, long[]> byType = new LinkedHashMap<>();
        for (OperatorMetrics o : drawn) {
            long[] agg = byType.computeIfAbsent(o.opType(), k -> new long[2]);
            agg[0] += o.flops().getAsLong();
            agg[1]++;
        }
        List<String> types = new ArrayList<>(byType.keySet());
        types.sort(Comparator.comparingLong((String k) -> byType.get(k)[0]).reversed()
                .thenComparing(Comparator.comparingLong((String k) -> byType.get(k)[1]).reversed())
                .thenComparing(Comparator.naturalOrder()));
        Map<String, String> colours = new LinkedHashMap<>();
        for (int i = 0; i < types.size(); i++) {
            colours.put(types.get(i), i < PALETTE.length ? PALETTE[i] : OTHER);
        }
        return colours;
    }

    static double radius(long flops, double maxFlops) {
        return 3 + 15 * Math.sqrt(Math.max(0, flops) / Math.max(1, maxFlops));
    }

    private static void quadrantShading(Svg svg, Thresholds t, double[] range) {
        double xs = x(t.sparsity());
        double yi = y(t.intensity(), range);
        svg.rect(xs, Y0, X1 - xs, yi - Y0, "#f3f3f3");      // sparse, intense
        svg.rect(X0, yi, xs - X0, Y1 - yi, "#f3f3f3");      // dense, light
        svg.rect(xs, yi, X1 - xs, Y1 - yi, "#e9f5e9");      // sparse, light: the CPU's
        svg.rect(X0, Y0, xs - X0, yi - Y0, "#e8f0fa");      // dense, intense: the GPU's
        svg.rect(X0, ZERO_BAND - 14, X1 - X0, 28, "#fafafa");
    }

    private static void grid(Svg svg, double[] range) {
        for (int i = 0; i <= 10; i++) {
            double px = x(i / 10.0);
            svg.line(px, Y0, px, Y1, "#dddddd", 1, null);
        }
        for (int d = (int) range[0]; d <= (int) range[1]; d++) {
            double py = y(Math.pow(10, d), range);
            svg.line(X0, py, X1, py, "#dddddd", 1, null);
        }
    }

    /** Drawn after the points, so that no point hides a label. */
    private static void axes(Svg svg, double[] range) {
        for (int i = 0; i <= 10; i++) {
            svg.text(x(i / 10.0), Y1 + 16, "middle", 12, "#333333", String.format(Locale.ROOT, "%d%%", i * 10));
        }
        for (int d = (int) range[0]; d <= (int) range[1]; d++) {
            svg.text(X0 - 8, y(Math.pow(10, d), range) + 4, "end", 12, "#333333", decade(d));
        }
        svg.rect(X0, Y0, X1 - X0, Y1 - Y0, "none", "#555555");
        svg.text(X0 - 8, ZERO_BAND + 4, "end", 11, "#333333", "0 FLOPs");
        svg.text((X0 + X1) / 2, ZERO_BAND + 36, "middle", 13, "#222222",
                "sparsity: larger of weight zeros and mean input-activation zeros");
        svg.raw(String.format(Locale.ROOT, "<text x=\"22\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"13\" "
                + "fill=\"#222222\" transform=\"rotate(-90 22 %.1f)\">computational intensity, FLOPs per byte moved "
                + "(log scale)</text>", (Y0 + Y1) / 2, (Y0 + Y1) / 2));
    }

    static String decade(int d) {
        if (d >= 0) {
            long v = (long) Math.pow(10, d);
            return v >= 1_000_000 ? (v / 1_000_000) + "M" : v >= 1000 ? (v / 1000) + "k" : Long.toString(v);
        }
        return String.format(Locale.ROOT, "%." + (-d) + "f", Math.pow(10, d));
    }

    private static void thresholdLines(Svg svg, Thresholds t, double[] range) {
        double xs = x(t.sparsity());
        double yi = y(t.intensity(), range);
        svg.line(xs, Y0, xs, ZERO_BAND + 14, "#c0392b", 1.5, "6,4");
        svg.line(X0, yi, X1, yi, "#c0392b", 1.5, "6,4");
        svg.text(xs + 4, Y0 - 6, "start", 11, "#c0392b",
                String.format(Locale.ROOT, "sparsity threshold %.0f%%", 100 * t.sparsity()));
        svg.text(X1 - 4, yi - 5, "end", 11, "#c0392b",
                String.format(Locale.ROOT, "intensity threshold %s FLOP/B", number(t.intensity())));
    }

    private static void quadrantCounts(Svg svg, Map<Quadrant, Integer> counts, Thresholds t, double[] range) {
        double xs = x(t.sparsity());
        double yi = y(t.intensity(), range);
        String bold = "#1b1b1b";
        svg.boldText(X0 + 8, Y0 + 18, "start", bold, "dense, intense: " + counts.get(Quadrant.DENSE_INTENSE) + " (GPU)");
        svg.boldText(X1 - 8, Y0 + 18, "end", bold, "sparse, intense: " + counts.get(Quadrant.SPARSE_INTENSE));
        svg.boldText(X0 + 8, Y1 - 10, "start", bold, "dense, light: " + counts.get(Quadrant.DENSE_LIGHT));
        svg.boldText(X1 - 8, Y1 - 10, "end", bold, "sparse, light: " + counts.get(Quadrant.SPARSE_LIGHT) + " (CPU)");
        // keep the labels readable when a threshold line sits right at an edge
        if (xs - X0 < 150 || X1 - xs < 150 || yi - Y0 < 30 || Y1 - yi < 30) {
            svg.text(X0 + 8, Y0 + 34, "start", 10, "#555555", "counts include the 0-FLOP strip (light)");
        }
    }

    private static void point(Svg svg, OperatorMetrics o, double[] range, Map<String, String> colours,
                              double maxFlops) {
        long flops = o.flops().getAsLong();
        double px = x(o.sparsity().getAsDouble());
        double py = y(o.intensity().getAsDouble(), range);
        String tip = String.format(Locale.ROOT, "%s (%s): %s FLOPs, %s FLOP/B, sparsity %.1f%%, %s", o.name(),
                o.opType(), number(flops), number(o.intensity().getAsDouble()), 100 * o.sparsity().getAsDouble(),
                o.quadrant().description());
        svg.raw(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\" fill-opacity=\"0.75\" "
                + "stroke=\"#333333\" stroke-width=\"0.6\" class=\"op\" data-op-type=\"%s\"><title>%s</title></circle>",
                px, py, radius(flops, maxFlops), colours.get(o.opType()), Svg.escape(o.opType()), Svg.escape(tip)));
    }

    private static void legend(Svg svg, List<OperatorMetrics> drawn, Map<String, String> colours, double maxFlops) {
        double lx = X1 + 28;
        double ly = Y0 + 6;
        svg.boldText(lx, ly, "start", "#1b1b1b", "operator type (ops, FLOP share)");
        long total = drawn.stream().mapToLong(o -> o.flops().getAsLong()).sum();
        Map<String, long[]> agg = new LinkedHashMap<>();
        for (OperatorMetrics o : drawn) {
            String key = OTHER.equals(colours.get(o.opType())) ? "other" : o.opType();
            long[] v = agg.computeIfAbsent(key, k -> new long[2]);
            v[0]++;
            v[1] += o.flops().getAsLong();
        }
        List<String> order = new ArrayList<>(colours.keySet().stream().filter(k -> agg.containsKey(k)).toList());
        if (agg.containsKey("other")) {
            order.add("other");
        }
        for (String type : order) {
            ly += 20;
            long[] v = agg.get(type);
            String colour = type.equals("other") ? OTHER : colours.get(type);
            svg.raw(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"6\" fill=\"%s\" "
                    + "fill-opacity=\"0.75\" stroke=\"#333333\" stroke-width=\"0.6\"/>", lx + 6, ly - 4, colour));
            svg.text(lx + 18, ly, "start", 12, "#222222", String.format(Locale.ROOT, "%s (%d, %.1f%%)", type, v[0],
                    total == 0 ? 0.0 : 100.0 * v[1] / total));
        }
        ly += 36;
        svg.boldText(lx, ly, "start", "#1b1b1b", "area ∝ FLOPs");
        long[] marks = {Math.round(maxFlops), Math.round(maxFlops / 10), Math.round(maxFlops / 100)};
        for (long m : marks) {
            double r = radius(m, maxFlops);
            ly += 2 * r + 8;
            svg.raw(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"none\" "
                    + "stroke=\"#555555\"/>", lx + 18, ly - r, r));
            svg.text(lx + 42, ly - r + 4, "start", 12, "#222222", number(m) + " FLOPs");
        }
    }

    private static void titles(Svg svg, ModelAnalysis a, int drawn) {
        svg.raw(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"26\" font-size=\"17\" font-weight=\"bold\" "
                + "fill=\"#111111\">%s: operators by sparsity and computational intensity</text>", X0,
                Svg.escape(a.modelId())));
        int hidden = a.operators().size() - drawn;
        String sub = String.format(Locale.ROOT, "%d operators, %s FLOPs, %s parameters; %s; thresholds %.0f%% zeros, "
                        + "%s FLOP/B%s", a.operators().size(), number(a.totals().flops()), number(a.totals().params()),
                a.calibrationRuns() == 0 ? "no calibration"
                        : a.calibrationRuns() + " calibration input" + (a.calibrationRuns() == 1 ? "" : "s"),
                100 * a.thresholds().sparsity(), number(a.thresholds().intensity()),
                hidden == 0 ? "" : "; " + hidden + " not drawn (FLOPs or sparsity unknown)");
        svg.text(X0, 46, "start", 12, "#444444", sub);
    }

    /** 1.23G, 45.6M, 7.8k, 12.3, 0.42. */
    static String number(double v) {
        double a = Math.abs(v);
        if (a >= 1e9) {
            return String.format(Locale.ROOT, "%.3gG", v / 1e9);
        }
        if (a >= 1e6) {
            return String.format(Locale.ROOT, "%.3gM", v / 1e6);
        }
        if (a >= 1e3) {
            return String.format(Locale.ROOT, "%.3gk", v / 1e3);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
