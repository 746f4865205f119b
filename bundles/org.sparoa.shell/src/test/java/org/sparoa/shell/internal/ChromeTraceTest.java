package org.sparoa.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.PlanDescription;
import org.sparoa.api.SegmentPlan;
import org.sparoa.api.SegmentTiming;

class ChromeTraceTest {

    @Test
    void segmentsBecomeCompleteEventsOnTheirBackendTrackWithHandOffsBetweenBackends() {
        PlanDescription plan = new PlanDescription("m", "partition", null, List.of(
                new SegmentPlan(0, "ort-cpu", List.of("a", "b"), List.of("x"), List.of("b_out")),
                new SegmentPlan(1, "sparse-cpu", List.of("c"), List.of("b_out"), List.of("c_out")),
                new SegmentPlan(2, "sparse-cpu", List.of("d"), List.of("c_out"), List.of("y"))));
        InferenceResult r = new InferenceResult(Map.of(), plan, List.of(
                new SegmentTiming(0, "ort-cpu", 0, 1_000_000),
                new SegmentTiming(1, "sparse-cpu", 1_200_000, 3_000_000),
                new SegmentTiming(2, "sparse-cpu", 3_000_000, 4_000_000)), 4_000_000, Map.of());
        ChromeTrace trace = new ChromeTrace();
        trace.addRequest(0, 10_000_000, r);

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> events = (List<Map<String, Object>>) trace.document().get("traceEvents");
        List<Map<String, Object>> segments = events.stream().filter(e -> "segment".equals(e.get("cat"))).toList();
        List<Map<String, Object>> handOffs = events.stream().filter(e -> "transfer".equals(e.get("cat"))).toList();
        assertEquals(3, segments.size());
        assertEquals(1, handOffs.size(), "only the backend change is a hand-off");
        assertEquals(11_000.0, handOffs.get(0).get("ts"), "hand-off starts when segment 0 ends (µs)");
        assertEquals(200.0, handOffs.get(0).get("dur"));
        assertEquals(segments.get(1).get("tid"), handOffs.get(0).get("tid"), "on the receiving backend's track");
        assertEquals(10_000.0, segments.get(0).get("ts"));
        assertEquals(1_800.0, segments.get(1).get("dur"));
        assertEquals(2, events.stream().filter(e -> "M".equals(e.get("ph"))).count(), "one named track per backend");
        assertEquals(4, trace.eventCount());
    }
}
