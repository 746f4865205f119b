package org.sparoa.api.predict;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.sparoa.api.Node;
import org.sparoa.api.analysis.ModelAnalysis;
import org.sparoa.api.analysis.OperatorMetrics;
import org.sparoa.api.analysis.SparsityStats;

/**
 * What the predictor reads about one operator (from the operator analyzer and the node's attributes). Unknown
 * numbers are {@code NaN}; a shape is null where unknown. {@code kernel} and {@code strides} are empty for operators
 * without them; {@code group} is 1 unless the operator is a grouped convolution.
 */
public record OperatorFeatures(String name, String opType, List<long[]> inputShapes, List<long[]> outputShapes,
                               double flops, double bytes, double weightSparsity, double activationSparsity,
                               long params, long[] kernel, long[] strides, long group) {

    public OperatorFeatures {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(opType, "opType");
        inputShapes = inputShapes == null ? List.of() : inputShapes.stream().map(s -> s == null ? null : s.clone()).toList();
        outputShapes = outputShapes == null ? List.of() : outputShapes.stream().map(s -> s == null ? null : s.clone()).toList();
        kernel = kernel == null ? new long[0] : kernel.clone();
        strides = strides == null ? new long[0] : strides.clone();
        group = Math.max(1, group);
    }

    /** The features of each of {@code nodes}, in their order, from the analyzer's metrics and the nodes' attributes. */
    public static List<OperatorFeatures> of(List<Node> nodes, ModelAnalysis analysis) {
        Map<String, OperatorMetrics> metrics = new HashMap<>();
        analysis.operators().forEach(m -> metrics.put(m.name(), m));
        List<OperatorFeatures> out = new ArrayList<>(nodes.size());
        for (Node n : nodes) {
            out.add(of(n, metrics.get(n.name())));
        }
        return out;
    }

    /** {@code m} may be null (the analyzer did not cover the node): every number is then unknown. */
    public static OperatorFeatures of(Node n, OperatorMetrics m) {
        long[] kernel = n.attrLongs("kernel_shape", new long[0]);
        long[] strides = n.attrLongs("strides", new long[0]);
        long group = n.attrLong("group", 1);
        if (m == null) {
            return new OperatorFeatures(n.name(), n.opType(), List.of(), List.of(), Double.NaN, Double.NaN,
                    Double.NaN, Double.NaN, 0, kernel, strides, group);
        }
        return new OperatorFeatures(n.name(), n.opType(), m.inputShapes(), m.outputShapes(),
                m.flops().isPresent() ? m.flops().getAsLong() : Double.NaN,
                m.bytes().isPresent() ? m.bytes().getAsLong() : Double.NaN,
                m.weightSparsity().isPresent() ? m.weightSparsity().getAsDouble() : Double.NaN,
                m.inputSparsity().map(SparsityStats::mean).orElse(Double.NaN), m.params(), kernel, strides, group);
    }

    /** FLOPs per byte moved; NaN when either is unknown or no byte moves. */
    public double intensity() {
        return Double.isNaN(flops) || Double.isNaN(bytes) || bytes <= 0 ? Double.NaN : flops / bytes;
    }

    /**
     * The sparsity a sparse kernel can exploit: the larger of the weight and input-activation sparsity (the
     * analyzer's rule); NaN when neither is known.
     */
    public double sparsity() {
        if (Double.isNaN(weightSparsity) && Double.isNaN(activationSparsity)) {
            return Double.NaN;
        }
        return Math.max(Double.isNaN(weightSparsity) ? 0 : weightSparsity,
                Double.isNaN(activationSparsity) ? 0 : activationSparsity);
    }
}
