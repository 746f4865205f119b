package org.sparoa.serving.internal;

import java.util.List;
import java.util.Map;

import org.sparoa.api.Tensor;

/**
 * A decoded {@code infer} request.
 *
 * @param id the request's id, echoed back (null when it sent none; "" is kept)
 * @param outputs the outputs asked for, in order (empty: all), each with its own binary choice (null: the default)
 * @param binaryByDefault {@code parameters.binary_data_output}
 */
record InferRequest(String id, Map<String, Tensor> inputs, List<RequestedOutput> outputs, boolean binaryByDefault) {

    record RequestedOutput(String name, Boolean binary) {
    }
}
