package org.sparoa.shell.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.sparoa.api.InferenceResult;
import org.sparoa.api.SegmentPlan;
import org.sparoa.api.SegmentTiming;

/**
 * One request as a picture: a lane per backend, a bar per segment as long as it ran (labelled with its operator
 * count), and the gaps between segments on different backends — the hand-overs — drawn as connectors. For README
 * figures where a trace viewer is not at hand.
 */
final class TraceTimelineSvg {
    private static final int WIDTH = 960;
    private static final int LEFT = 110;
    private static final int LANE = 46;
    private static final int TOP = 52;

    private TraceTimelineSvg() {
    }

    static String render(String title, InferenceResult result) {
        List<SegmentPlan> plans = result.plan().segments();
        List<SegmentTiming> timings = result.timings();
        List<String> lanes = new ArrayList<>();
        for (SegmentTiming t : timings) {
            if (!lanes.contains(t.backendId())) {
                lanes.add(t.backendId());
            }
        }
        long end = timings.stream().mapToLong(SegmentTiming::endNanos).max().orElse(1);
        double scale = (WIDTH - LEFT - 20) / (double) Math.max(1, end);
        int height = TOP + lanes.size() * LANE + 40;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, height));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
        s.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"20\" font-size=\"14\">%s</text>%n", escape(title)));
        s.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"38\" fill=\"#555\">%d segment(s), %.2f ms, policy %s"
                + "</text>%n", timings.size(), end / 1e6, escape(result.plan().policy())));
        for (int i = 0; i < lanes.size(); i++) {
            int y = TOP + i * LANE;
            s.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\">%s</text>%n", y + 24, escape(lanes.get(i))));
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>%n",
                    LEFT, y + LANE - 4, WIDTH - 20, y + LANE - 4));
        }
        SegmentTiming previous = null;
        for (SegmentTiming t : timings) {
            int lane = lanes.indexOf(t.backendId());
            double x = LEFT + t.startNanos() * scale;
            double w = Math.max(1, (t.endNanos() - t.startNanos()) * scale);
            int y = TOP + lane * LANE + 6;
            String fill = lane % 2 == 0 ? "#4e79a7" : "#f28e2b";
            int ops = plans.get(t.segment()).nodeNames().size();
            if (previous != null && !previous.backendId().equals(t.backendId())) {
                int py = TOP + lanes.indexOf(previous.backendId()) * LANE + 20;
                s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
                        + "stroke=\"#999\" stroke-dasharray=\"3,2\"/>%n", LEFT + previous.endNanos() * scale, py, x,
                        y + 14));
            }
            s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"28\" fill=\"%s\">"
                    + "<title>segment %d: %d operator(s), %.3f ms</title></rect>%n", x, y, w, fill, t.segment(), ops,
                    (t.endNanos() - t.startNanos()) / 1e6));
            if (w > 22) {
                s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" fill=\"white\" font-size=\"10\">%d"
                        + "</text>%n", x + 3, y + 18, ops));
            }
            previous = t;
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#555\" font-size=\"10\">bars: segments "
                + "(number: operators); dashed: hand-over to another backend; time runs left to right</text>%n", LEFT,
                height - 12));
        s.append("</svg>\n");
        return s.toString();
    }

    private static String escape(String v) {
        return v == null ? "" : v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
