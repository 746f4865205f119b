package org.sparoa.analyzer.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

import org.sparoa.api.DataType;
import org.sparoa.api.Graph;
import org.sparoa.api.Node;
import org.sparoa.api.Tensor;
import org.sparoa.api.analysis.ZeroCounter;

/**
 * Parameters and weight sparsity of operators. An operator's weights are its constant inputs (initializers and
 * Constant node values) except arguments: integer index tensors of rank 0 or 1 (shapes, axes, pads), scalars
 * (rank 0: Clip bounds, the 3 and 6 of a decomposed HardSwish, a Pad value), and the inputs that ONNX defines as
 * arguments of a few operators (Clip min/max, Resize roi/scales/sizes, Upsample scales, Pad pads/value/axes).
 * Zero counts are cached per weight, since operators share weights.
 */
final class WeightStatistics {
    private final Graph graph;
    private final Map<String, Long> zerosByWeight = new HashMap<>();

    WeightStatistics(Graph graph) {
        this.graph = graph;
    }

    /** Parameter count and, when it has weights, the fraction of exact zeros in them. */
    record Weights(long params, OptionalDouble sparsity) {
    }

    Weights of(Node node) {
        long params = 0;
        long zeros = 0;
        for (int i = 0; i < node.inputs().size(); i++) {
            String input = node.inputs().get(i);
            Tensor w = input.isEmpty() ? null : graph.weights().get(input);
            if (w == null || isArgument(node, i, w)) {
                continue;
            }
            params += w.elementCount();
            zeros += zerosByWeight.computeIfAbsent(input, k -> ZeroCounter.zeros(w));
        }
        return new Weights(params, params == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) zeros / params));
    }

    /** Whether constant input {@code i} of the node is an argument rather than a parameter. */
    static boolean isArgument(Node node, int i, Tensor w) {
        if (w.rank() == 0) {
            return true;
        }
        if ((w.type() == DataType.INT64 || w.type() == DataType.INT32) && w.rank() <= 1) {
            return true;
        }
        Set<Integer> arguments = ARGUMENT_INPUTS.get(node.opType());
        return arguments != null && arguments.contains(i);
    }

    private static final Map<String, Set<Integer>> ARGUMENT_INPUTS = Map.of(
            "Clip", Set.of(1, 2),
            "Resize", Set.of(1, 2, 3),
            "Upsample", Set.of(1),
            "Pad", Set.of(1, 2, 3));
}
