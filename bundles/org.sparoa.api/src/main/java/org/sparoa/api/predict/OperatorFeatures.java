package org.sparoa.api.predict;

import java.util.List;
import java.util.Objects;

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
