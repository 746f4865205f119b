package org.sparoa.api;

import java.util.List;

/** One segment of an execution plan as users see it. */
public record SegmentPlan(int index, String backendId, List<String> nodeNames, List<String> inputs,
                          List<String> outputs) {

    public SegmentPlan {
        nodeNames = List.copyOf(nodeNames);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }
}
