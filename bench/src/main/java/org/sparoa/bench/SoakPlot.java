package org.sparoa.bench;

import java.util.List;
import java.util.Locale;

/** The soak's heap after GC and thread count over time, as a small SVG line plot. */
final class SoakPlot {
    private SoakPlot() {
    }

    static String svg(Soak.Report r, double minutes, int clients, double chaosSeconds) {
        List<Soak.Sample> s = r.samples();
        double maxT = Math.max(1, s.get(s.size() - 1).seconds());
        double maxHeap = 1;
        int maxThreads = 1;
        for (Soak.Sample x : s) {
            maxHeap = Math.max(maxHeap, x.heapAfterGcBytes() / 1048576.0);
            maxThreads = Math.max(maxThreads, x.threads());
        }
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns='http://www.w3.org/2000/svg' width='720' height='360' font-family='sans-serif' "
                + "font-size='12'>\n<rect width='720' height='360' fill='white'/>\n");
        svg.append(String.format(Locale.ROOT, "<text x='60' y='20'>Soak %.0f min, %d clients, chaos every %.0f s: "
                + "%d requests, %d wrong, %d lost</text>%n", minutes, clients, chaosSeconds, r.requests(),
                r.wrongOutputs(), r.lost()));
        svg.append("<line x1='60' y1='320' x2='680' y2='320' stroke='black'/><line x1='60' y1='40' x2='60' y2='320' "
                + "stroke='black'/>\n");
        svg.append(String.format(Locale.ROOT, "<text x='620' y='340'>%.0f s</text><text x='5' y='45'>%.0f MiB</text>"
                + "<text x='5' y='60' fill='#c05000'>%d thr</text>%n", maxT, maxHeap * 1.25, maxThreads * 2));
        svg.append(line(s, maxT, maxHeap * 1.25, true, "#0050c0"));
        svg.append(line(s, maxT, maxThreads * 2.0, false, "#c05000"));
        svg.append("<text x='70' y='310' fill='#0050c0'>heap after GC (MiB)</text><text x='250' y='310' "
                + "fill='#c05000'>live threads</text>\n</svg>\n");
        return svg.toString();
    }

    private static String line(List<Soak.Sample> s, double maxT, double maxY, boolean heap, String colour) {
        StringBuilder p = new StringBuilder("<polyline fill='none' stroke='" + colour + "' points='");
        for (Soak.Sample x : s) {
            double y = heap ? x.heapAfterGcBytes() / 1048576.0 : x.threads();
            p.append(String.format(Locale.ROOT, "%.1f,%.1f ", 60 + 620 * x.seconds() / maxT, 320 - 280 * y / maxY));
        }
        return p.append("'/>\n").toString();
    }
}
