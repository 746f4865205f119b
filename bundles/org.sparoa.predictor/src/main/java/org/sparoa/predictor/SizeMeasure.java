package org.sparoa.predictor;

import java.util.List;

import org.sparoa.api.predict.OperatorFeatures;

/**
 * A size of an operator that a {@link BandRule} reads, as a natural log; NaN where the operator has no known output
 * shape. The plane and the channels are taken from the first output: for a rank-4 (NCHW) output H x W and C, for
 * rank 2 or 3 the last dimension and the product of the others, for rank 0 or 1 the elements and 1.
 */
public enum SizeMeasure {
    /** All outputs' elements together: what an element-wise or data-movement operator's work grows with. */
    OUTPUT_ELEMENTS,
    /** The first output's plane (H x W): how long the rows are that the CPU kernels vectorise along. */
    OUTPUT_PLANE,
    /** The first output's channels: how many planes the work is split over. */
    CHANNELS;

    /** The measure of {@code op}, as a natural log. */
    public double log(OperatorFeatures op) {
        List<long[]> outputs = op.outputShapes();
        if (outputs.isEmpty()) {
            return Double.NaN;
        }
        for (long[] shape : outputs) {
            if (shape == null) {
                return Double.NaN;
            }
        }
        return switch (this) {
            case OUTPUT_ELEMENTS -> {
                double total = 0;
                for (long[] shape : outputs) {
                    total += product(shape, 0, shape.length);
                }
                yield Math.log(Math.max(total, 1));
            }
            case OUTPUT_PLANE -> Math.log(plane(outputs.get(0)));
            case CHANNELS -> Math.log(channels(outputs.get(0)));
        };
    }

    private static double plane(long[] s) {
        if (s.length == 4) {
            return product(s, 2, 4);
        }
        return s.length >= 2 ? Math.max(s[s.length - 1], 1) : product(s, 0, s.length);
    }

    private static double channels(long[] s) {
        if (s.length == 4) {
            return Math.max(s[1], 1);
        }
        return s.length >= 2 ? product(s, 0, s.length - 1) : 1;
    }

    private static double product(long[] s, int from, int to) {
        double e = 1;
        for (int i = from; i < to; i++) {
            e *= Math.max(s[i], 1);
        }
        return Math.max(e, 1);
    }
}
