package org.sparoa.api.analysis;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What the analyzer knows about one operator. A shape is null where it is unknown. {@code flops} is empty
 * when no FLOP rule covers the operator type or a shape it needs is unknown; {@code note} then says why.
 * {@code intensity} is FLOPs per byte moved (weights + inputs + outputs). {@code weightSparsity} is the
 * fraction of exact zeros in the operator's weights (empty when it has none); activation sparsities are the
 * fractions of zeros in its non-constant inputs and its outputs over the calibration runs.
 */
public record OperatorMetrics(String name, String opType, String domain, List<long[]> inputShapes,
                              List<long[]> outputShapes, long params, OptionalLong flops, OptionalLong bytes,
                              OptionalDouble weightSparsity, Optional<SparsityStats> inputSparsity,
                              Optional<SparsityStats> outputSparsity, Quadrant quadrant, String note) {

    public OperatorMetrics {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(opType, "opType");
        domain = domain == null ? "" : domain;
        inputShapes = copy(inputShapes);
        outputShapes = copy(outputShapes);
        quadrant = quadrant == null ? Quadrant.UNKNOWN : quadrant;
        note = note == null ? "" : note;
    }

    private static List<long[]> copy(List<long[]> shapes) {
        return shapes.stream().map(s -> s == null ? null : s.clone()).toList();
    }

    /** FLOPs per byte moved; empty when either is unknown or no byte moves. */
    public OptionalDouble intensity() {
        if (flops.isEmpty() || bytes.isEmpty() || bytes.getAsLong() == 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of((double) flops.getAsLong() / bytes.getAsLong());
    }

    /**
     * The sparsity a sparse kernel can exploit: the larger of the weight sparsity and the mean input activation
     * sparsity, since it can skip the zeros of either operand. Empty when neither is known.
     */
    public OptionalDouble sparsity() {
        if (weightSparsity.isEmpty() && inputSparsity.isEmpty()) {
            return OptionalDouble.empty();
        }
        double w = weightSparsity.orElse(0);
        double a = inputSparsity.map(SparsityStats::mean).orElse(0.0);
        return OptionalDouble.of(Math.max(w, a));
    }

    /** This operator classified against other thresholds. */
    public OperatorMetrics withThresholds(Thresholds thresholds) {
        return new OperatorMetrics(name, opType, domain, inputShapes, outputShapes, params, flops, bytes,
                weightSparsity, inputSparsity, outputSparsity, classify(thresholds), note);
    }

    Quadrant classify(Thresholds thresholds) {
        OptionalDouble s = sparsity();
        OptionalDouble i = intensity();
        return thresholds.classify(s.isPresent() ? s.getAsDouble() : null, i.isPresent() ? i.getAsDouble() : null);
    }
}
