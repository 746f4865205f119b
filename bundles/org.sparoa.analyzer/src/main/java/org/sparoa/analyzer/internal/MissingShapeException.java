package org.sparoa.analyzer.internal;

import org.sparoa.api.Shapes;

/** A FLOP rule needs the static shape of a tensor that is unknown. */
final class MissingShapeException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String tensor;

    MissingShapeException(String tensor, long[] shape) {
        super("shape of '" + tensor + "' is unknown (" + Shapes.format(shape) + ")", null, false, false);
        this.tensor = tensor;
    }

    String tensor() {
        return tensor;
    }
}
