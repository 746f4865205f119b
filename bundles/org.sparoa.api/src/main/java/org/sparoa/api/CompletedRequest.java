package org.sparoa.api;

import java.util.List;
import java.util.Objects;

/**
 * A request the engine completed, as {@link PlanObserver}s see it: the model, the plan it ran (policy, segments), when
 * each segment ran, and the whole request's time. Outputs are not part of it: observers learn from timings, and the
 * engine recycles the buffers a request's intermediate tensors used.
 *
 * @since 1.8
 */
public record CompletedRequest(String modelId, PlanDescription plan, List<SegmentTiming> timings, long totalNanos) {

    public CompletedRequest {
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(plan, "plan");
        timings = List.copyOf(timings);
    }
}
