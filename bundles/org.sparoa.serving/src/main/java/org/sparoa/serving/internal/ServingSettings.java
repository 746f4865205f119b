package org.sparoa.serving.internal;

import java.nio.file.Path;

/**
 * The endpoint's limits and defaults.
 *
 * @param maxRequestBytes a larger body is refused with 413 before it is read whole
 * @param maxTensorElements an input with more elements is refused with 400
 * @param rejectNonFinite refuse NaN and Inf in FP32/FP64 inputs with 400
 * @param requestTimeoutMillis how long an infer request may take, queue included (0: the batching default)
 * @param modelRepository where {@code /v2/repository/models/m/load} finds {@code m.onnx} (null: none)
 */
record ServingSettings(long maxRequestBytes, long maxTensorElements, boolean rejectNonFinite, long requestTimeoutMillis,
                       Path modelRepository) {

    static ServingSettings defaults(Path repository) {
        return new ServingSettings(64L << 20, 16L << 20, true, 0, repository);
    }
}
