package org.sparoa.onnx;

import java.util.List;

import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.TensorInfo;
import org.sparoa.onnx.internal.ParsedModelCache;
import org.sparoa.onnx.internal.SegmentCutter;

/** Cuts connected sets of operators out of a model as standalone ONNX models. */
public final class OnnxSegments {
    private OnnxSegments() {
    }

    /**
     * The serialized ONNX model that runs {@code nodes} (in the given order) of {@code model}, taking
     * {@code inputs} and producing {@code outputs}. The weights the operators use are included.
     */
    public static byte[] cut(Model model, String name, List<Node> nodes, List<TensorInfo> inputs,
                             List<TensorInfo> outputs) {
        return SegmentCutter.cut(ParsedModelCache.get(model), name, nodes, inputs, outputs).toByteArray();
    }
}
