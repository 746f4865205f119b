package org.sparoa.bench;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The soak's memory and thread count over time, as a small SVG line plot: heap after GC, committed heap, resident
 * memory and, when Native Memory Tracking was on, the resident memory the JVM does not account for; live threads on
 * their own scale.
 */
final class SoakPlot {
    private static final int LEFT = 60;
    private static final int WIDTH = 620;
    private static final int BOTTOM = 320;
    private static final int HEIGHT = 260;

    private SoakPlot() {
    }

    static String svg(Soak.Report r, double minutes, int clients, double chaosSeconds) {
        List<Soak.Sample> s = r.samples();
        double maxT = Math.max(1, s.get(s.size() - 1).seconds());
        double maxMib = 1;
        int maxThreads = 1;
        boolean nmt = false;
        for (Soak.Sample x : s) {
            maxMib = Math.max(maxMib, Math.max(mib(x.rssBytes()), mib(x.heapCommittedBytes())));
            maxThreads = Math.max(maxThreads, x.threads());
            nmt |= !Double.isNaN(x.rssOutsideNmtMib());
        }
        double yMib = maxMib * 1.15;
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns='http://www.w3.org/2000/svg' width='720' height='380' font-family='sans-serif' "
                + "font-size='12'>\n<rect width='720' height='380' fill='white'/>\n");
        svg.append(String.format(Locale.ROOT, "<text x='60' y='20'>Soak %.0f min, %d clients, chaos every %.0f s: "
                + "%d requests, %d wrong, %d lost</text>%n", minutes, clients, chaosSeconds, r.requests(),
                r.wrongOutputs(), r.lost()));
        svg.append("<line x1='60' y1='320' x2='680' y2='320' stroke='black'/><line x1='60' y1='60' x2='60' y2='320' "
                + "stroke='black'/>\n");
        svg.append(String.format(Locale.ROOT, "<text x='620' y='338'>%.0f s</text><text x='5' y='65'>%.0f MiB</text>"
                + "<text x='5' y='80' fill='#c05000'>%d thr</text><text x='5' y='324'>0</text>%n", maxT, yMib,
                maxThreads * 2));
        svg.append(line(s, maxT, yMib, x -> mib(x.rssBytes()), "#000000"));
        svg.append(line(s, maxT, yMib, x -> mib(x.heapCommittedBytes()), "#008040"));
        svg.append(line(s, maxT, yMib, x -> mib(x.heapAfterGcBytes()), "#0050c0"));
        if (nmt) {
            svg.append(line(s, maxT, yMib, x -> Double.isNaN(x.rssOutsideNmtMib()) ? 0 : x.rssOutsideNmtMib(), "#a000a0"));
        }
        svg.append(line(s, maxT, maxThreads * 2.0, x -> x.threads(), "#c05000"));
        svg.append("<text x='60' y='360' fill='#000000'>RSS</text>"
                + "<text x='100' y='360' fill='#008040'>heap committed</text>"
                + "<text x='210' y='360' fill='#0050c0'>heap after GC</text>"
                + (nmt ? "<text x='315' y='360' fill='#a000a0'>RSS outside the JVM's native memory (NMT)</text>" : "")
                + "<text x='590' y='360' fill='#c05000'>live threads</text>\n</svg>\n");
        return svg.toString();
    }

    private static double mib(long bytes) {
        return bytes / 1048576.0;
    }

    private static String line(List<Soak.Sample> s, double maxT, double maxY, ToDoubleFunction<Soak.Sample> y,
                               String colour) {
        StringBuilder p = new StringBuilder("<polyline fill='none' stroke='" + colour + "' points='");
        for (Soak.Sample x : s) {
            p.append(String.format(Locale.ROOT, "%.1f,%.1f ", LEFT + WIDTH * x.seconds() / maxT,
                    BOTTOM - HEIGHT * Math.max(0, y.applyAsDouble(x)) / maxY));
        }
        return p.append("'/>\n").toString();
    }
}
