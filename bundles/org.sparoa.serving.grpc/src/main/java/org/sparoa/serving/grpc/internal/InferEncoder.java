package org.sparoa.serving.grpc.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.google.protobuf.UnsafeByteOperations;

import org.sparoa.api.Tensor;
import org.sparoa.serving.core.KserveTypes;
import org.sparoa.serving.grpc.proto.ModelInferRequest;
import org.sparoa.serving.grpc.proto.ModelInferResponse;

/**
 * A {@code ModelInfer} answer: name, datatype and shape of every output asked for (all when none is named), their
 * elements as raw little-endian bytes in {@code raw_output_contents}, in the same order (as Triton answers).
 */
final class InferEncoder {
    private InferEncoder() {
    }

    static ModelInferResponse encode(String model, ModelInferRequest request, Map<String, Tensor> outputs) {
        List<String> names = new ArrayList<>();
        if (request.getOutputsCount() == 0) {
            names.addAll(outputs.keySet());
        } else {
            for (ModelInferRequest.InferRequestedOutputTensor o : request.getOutputsList()) {
                if (!outputs.containsKey(o.getName())) {
                    throw GrpcFailure.invalid("model " + model + " has no output '" + o.getName() + "'; its outputs "
                            + "are " + outputs.keySet());
                }
                names.add(o.getName());
            }
        }
        ModelInferResponse.Builder b = ModelInferResponse.newBuilder().setModelName(model).setModelVersion("1")
                .setId(request.getId());
        for (String n : names) {
            Tensor t = outputs.get(n);
            ModelInferResponse.InferOutputTensor.Builder o = b.addOutputsBuilder().setName(n)
                    .setDatatype(KserveTypes.kserve(t.type()));
            for (long d : t.shape()) {
                o.addShape(d);
            }
            // the tensor is immutable and its buffer is never written again: no copy
            b.addRawOutputContents(UnsafeByteOperations.unsafeWrap(t.bytes()));
        }
        return b.build();
    }
}
