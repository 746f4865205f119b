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
        if (isWholeModel(model, nodes, inputs, outputs)) {
            // the model itself: a backend then runs exactly what the user gave (value_info, metadata and all), so
            // a one-segment plan costs what the plain runtime costs
            java.nio.ByteBuffer bytes = model.onnxBytes();
            byte[] copy = new byte[bytes.remaining()];
            bytes.get(copy);
            return copy;
        }
        return SegmentCutter.cut(ParsedModelCache.get(model), name, nodes, inputs, outputs).toByteArray();
    }

    /** Every operator, in graph order, with exactly the graph's inputs and outputs in order. */
    static boolean isWholeModel(Model model, List<Node> nodes, List<TensorInfo> inputs, List<TensorInfo> outputs) {
        var graph = model.graph();
        return nodes.equals(graph.nodes())
                && names(inputs).equals(names(graph.inputs()))
                && names(outputs).equals(names(graph.outputs()));
    }

    private static List<String> names(List<TensorInfo> infos) {
        return infos.stream().map(TensorInfo::name).toList();
    }
}
