package org.sparoa.api;

import java.util.List;

/** An execution plan as users see it: which policy made it, and its segments in execution order. */
public record PlanDescription(String modelId, String policy, String fallbackReason, List<SegmentPlan> segments) {

    public PlanDescription {
        segments = List.copyOf(segments);
    }
}
