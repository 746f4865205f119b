package org.sparoa.policy.sac.internal;

import java.util.List;
import java.util.Locale;

/**
 * The training curve as a small SVG chart: per episode, the plan time the agent reached over the reference plan's
 * (1 = as good as the search), as points, and their moving average as a line.
 */
final class RewardCurvePlot {
    private static final int WINDOW = 50;

    private RewardCurvePlot() {
    }

    static String svg(List<SacTrainer.EpisodeRecord> curve, String title) {
        double w = 760;
        double h = 420;
        double left = 60;
        double right = 20;
        double top = 40;
        double bottom = 50;
        double pw = w - left - right;
        double ph = h - top - bottom;
        int n = Math.max(curve.size(), 2);
        double max = 1.05;
        for (SacTrainer.EpisodeRecord r : curve) {
            max = Math.max(max, Math.min(r.ratio(), 5));
        }
        double yMin = 0.9;
        double yMax = Math.ceil(max * 10) / 10;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\""
                + " font-family=\"sans-serif\" font-size=\"12\">%n", w, h));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"20\" text-anchor=\"middle\">%s</text>%n",
                left + pw / 2, escape(title)));
        for (int i = 0; i <= 5; i++) {
            double v = yMin + (yMax - yMin) * i / 5;
            double y = top + ph * (1 - (v - yMin) / (yMax - yMin));
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>%n", left, y, left + pw, y,
                    left - 6, y + 4, v));
        }
        for (int i = 0; i < n; i += Math.max(1, n / 10)) {
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>%n",
                    x(i, n, left, pw), top + ph + 18, i));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">episode</text>%n",
                left + pw / 2, h - 10));
        svg.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%.1f\" transform=\"rotate(-90 14 %.1f)\" "
                + "text-anchor=\"middle\">plan time / reference plan</text>%n", top + ph / 2, top + ph / 2));
        StringBuilder avg = new StringBuilder();
        double sum = 0;
        for (int i = 0; i < curve.size(); i++) {
            double r = Math.min(curve.get(i).ratio(), yMax);
            sum += r;
            if (i >= WINDOW) {
                sum -= Math.min(curve.get(i - WINDOW).ratio(), yMax);
            }
            double mean = sum / Math.min(i + 1, WINDOW);
            svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"1.2\" fill=\"#9ecae1\"/>%n",
                    x(i, n, left, pw), y(r, yMin, yMax, top, ph)));
            avg.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(i, n, left, pw), y(mean, yMin, yMax, top, ph)));
        }
        svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\" "
                + "points=\"%s\"/>%n", avg.toString().trim()));
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#d62728\">moving average of %d"
                + " episodes</text>%n", left + pw - 220, top + 14, WINDOW));
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static double x(int i, int n, double left, double pw) {
        return left + pw * i / Math.max(1, n - 1);
    }

    private static double y(double v, double yMin, double yMax, double top, double ph) {
        return top + ph * (1 - (Math.max(v, yMin) - yMin) / (yMax - yMin));
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
