package org.sparoa.analyzer.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;

import org.sparoa.api.DataType;
import org.sparoa.api.Graph;
import org.sparoa.api.Node;
import org.sparoa.api.Tensor;

/**
 * Parameters and weight sparsity of operators. An operator's weights are its constant inputs (initializers and
 * Constant node values) except small integer index tensors (int32/int64 of rank 0 or 1: shapes, axes, pads),
 * which are arguments, not parameters. Zero counts are cached per weight, since operators share weights.
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
        for (String input : node.inputs()) {
            Tensor w = input.isEmpty() ? null : graph.weights().get(input);
            if (w == null || isIndexArgument(w)) {
                continue;
            }
            params += w.elementCount();
            zeros += zerosByWeight.computeIfAbsent(input, k -> ZeroCounter.zeros(w));
        }
        return new Weights(params, params == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) zeros / params));
    }

    /** Whether this constant input is a parameter of the operator (not an index argument). */
    static boolean isParameter(Tensor w) {
        return !isIndexArgument(w);
    }

    private static boolean isIndexArgument(Tensor w) {
        return (w.type() == DataType.INT64 || w.type() == DataType.INT32) && w.rank() <= 1;
    }
}
