package org.sparoa.api;

import java.util.List;

/**
 * An execution plan as users see it: which policy made it, why the engine fell back (null when it did not), its
 * segments in execution order, and the policy's explanation of its decisions when the request asked for one (policy
 * option {@value #EXPLAIN} = true; see {@link SchedulingPolicy#explain}), else empty.
 */
public record PlanDescription(String modelId, String policy, String fallbackReason, List<SegmentPlan> segments,
                              List<String> explanation) {

    /** The policy option that asks the policy to explain its decisions. @since 1.5 */
    public static final String EXPLAIN = "explain";

    public PlanDescription {
        segments = List.copyOf(segments);
        explanation = explanation == null ? List.of() : List.copyOf(explanation);
    }

    /** A description without explanation (the form before 1.5). */
    public PlanDescription(String modelId, String policy, String fallbackReason, List<SegmentPlan> segments) {
        this(modelId, policy, fallbackReason, segments, List.of());
    }
}
