package org.sparoa.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Outputs of one request in graph output order, the plan it ran, per-segment timings, and (only when the
 * request asked for {@link RunOptions#captureIntermediates()}) every intermediate tensor by name.
 */
public record InferenceResult(Map<String, Tensor> outputs, PlanDescription plan, List<SegmentTiming> timings,
                              long totalNanos, Map<String, Tensor> intermediates) {

    public InferenceResult {
        outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
        timings = List.copyOf(timings);
        intermediates = intermediates == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(intermediates));
    }

    public double totalMillis() {
        return totalNanos / 1e6;
    }
}
