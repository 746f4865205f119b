package org.sparoa.backend.cuda.internal;

import java.util.Optional;
import java.util.Set;

import org.sparoa.api.DataType;
import org.sparoa.api.Graph;
import org.sparoa.api.Node;
import org.sparoa.api.TensorInfo;

/**
 * What cuda-gpu runs: float32 data on the device; integer tensors only as shape arithmetic, which the host folds
 * when it compiles a program (their values are then known). Refusals say why; compile reports them.
 */
final class CudaOperatorSupport {
    static final Set<String> OPERATORS = Set.of(
            "Conv", "ConvTranspose", "Gemm", "MatMul", "BatchNormalization",
            "Relu", "Clip", "Sigmoid", "HardSigmoid", "HardSwish", "LeakyRelu", "PRelu",
            "Add", "Sub", "Mul", "Div", "Equal",
            "MaxPool", "AveragePool", "GlobalAveragePool",
            "Concat", "Split", "Slice", "Transpose", "Pad", "Resize", "Softmax",
            "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity", "Dropout", "Cast", "Shape", "Gather");

    private static final Set<DataType> DEVICE_TYPES = Set.of(DataType.FLOAT, DataType.BOOL);

    private CudaOperatorSupport() {
    }

    static Optional<String> whyNot(Node node, Graph graph) {
        if (!node.domain().isEmpty() && !node.domain().equals("ai.onnx")) {
            return Optional.of("domain '" + node.domain() + "' is not the default ONNX domain");
        }
        String op = node.opType();
        if (!OPERATORS.contains(op)) {
            return Optional.of("operator " + op + " is not implemented");
        }
        if (op.equals("Gather") && !graph.isWeight(node.input(0)) && !isInteger(node.input(0), graph)) {
            return Optional.of("Gather is implemented for shape arithmetic (integer data) only");
        }
        if (!op.equals("Shape") && !op.equals("Gather") && !HostFolding.canFold(op)) {
            Optional<String> t = deviceTypes(node, graph);
            if (t.isPresent()) {
                return t;
            }
        }
        return switch (op) {
            case "Conv", "ConvTranspose" -> !node.input(1).isEmpty() && !graph.isWeight(node.input(1))
                    ? Optional.of("weights computed at run time are not implemented")
                    : rank4(node, graph);
            case "Resize" -> resize(node);
            case "BatchNormalization" -> node.attrLong("training_mode", 0) != 0
                    ? Optional.of("training mode is not implemented") : Optional.empty();
            case "MaxPool" -> node.outputs().size() > 1 && !node.outputs().get(1).isEmpty()
                    ? Optional.of("the Indices output is not implemented") : Optional.empty();
            default -> Optional.empty();
        };
    }

    private static boolean isInteger(String tensor, Graph graph) {
        DataType t = graph.info(tensor).map(TensorInfo::type).orElse(null);
        return t == DataType.INT64 || t == DataType.INT32;
    }

    private static Optional<String> deviceTypes(Node node, Graph graph) {
        for (String out : node.outputs()) {
            if (out.isEmpty() || (node.opType().equals("Dropout") && !out.equals(node.outputs().get(0)))) {
                continue;
            }
            DataType t = graph.info(out).map(TensorInfo::type).orElse(null);
            if (t != null && !DEVICE_TYPES.contains(t)) {
                return Optional.of("output '" + out + "' is " + t + " (the device computes FLOAT, and BOOL masks)");
            }
        }
        return Optional.empty();
    }

    private static Optional<String> rank4(Node node, Graph graph) {
        TensorInfo w = graph.info(node.input(1)).orElse(null);
        if (w != null && w.shape() != null && w.shape().length != 4) {
            return Optional.of("only 2-D convolutions are implemented");
        }
        return Optional.empty();
    }

    private static Optional<String> resize(Node node) {
        String mode = node.attrString("mode", "nearest");
        if (!mode.equals("nearest") && !mode.equals("linear")) {
            return Optional.of("resize mode " + mode + " is not implemented");
        }
        String ct = node.attrString("coordinate_transformation_mode", "half_pixel");
        if (!Set.of("half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nearest")
                .contains(ct)) {
            return Optional.of("coordinate_transformation_mode " + ct + " is not implemented");
        }
        if (node.attrLong("antialias", 0) != 0) {
            return Optional.of("antialias is not implemented");
        }
        return Optional.empty();
    }
}
