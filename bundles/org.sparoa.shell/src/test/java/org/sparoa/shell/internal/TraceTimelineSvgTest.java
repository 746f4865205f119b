package org.sparoa.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.PlanDescription;
import org.sparoa.api.SegmentPlan;
import org.sparoa.api.SegmentTiming;

/** A three-segment split over two backends: two lanes, three bars, two hand-over connectors. */
class TraceTimelineSvgTest {
    @Test
    void aSplitIsDrawnAsALanePerBackendWithItsHandOvers() {
        PlanDescription plan = new PlanDescription("m", "greedy", null, List.of(
                new SegmentPlan(0, "ort-cpu", List.of("a", "b"), List.of("x"), List.of("t1")),
                new SegmentPlan(1, "sparse-cpu", List.of("c"), List.of("t1"), List.of("t2")),
                new SegmentPlan(2, "ort-cpu", List.of("d", "e", "f"), List.of("t2"), List.of("y"))));
        InferenceResult r = new InferenceResult(Map.of(), plan, List.of(
                new SegmentTiming(0, "ort-cpu", 0, 2_000_000),
                new SegmentTiming(1, "sparse-cpu", 2_100_000, 3_000_000),
                new SegmentTiming(2, "ort-cpu", 3_050_000, 6_000_000)), 6_000_000, Map.of());
        String svg = TraceTimelineSvg.render("m <pruned>", r);
        assertTrue(svg.startsWith("<svg"));
        assertEquals(3, count(svg, "<rect x="), "a bar per segment");
        assertEquals(2, count(svg, "stroke-dasharray"), "a connector per hand-over");
        assertTrue(svg.contains(">ort-cpu</text>") && svg.contains(">sparse-cpu</text>"), "a lane per backend");
        assertTrue(svg.contains("3 segment(s), 6.00 ms"), svg);
        assertTrue(svg.contains("m &lt;pruned&gt;"), "the title is escaped");
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
