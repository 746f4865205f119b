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
        for (int i = 0; i < node.inputs().size(); i++) {
            String in = node.input(i);
            if (!in.isEmpty() && ParameterInputs.isParameter(node, i) && !ParameterInputs.hostComputable(in, graph)) {
                return Optional.of("input " + i + " ('" + in + "') is computed at run time; it must be a constant,"
                        + " a model input or shape arithmetic");
            }
        }
        boolean hostFolds = op.equals("Shape") || (HostFolding.canFold(op)
                && node.inputs().stream().allMatch(in -> ParameterInputs.hostFoldable(in, graph)));
        if (!hostFolds) {
            if (op.equals("Gather")) {
                return Optional.of("Gather is implemented for shape arithmetic (values the host knows) only");
            }
            Optional<String> t = deviceTypes(node, graph);
            if (t.isPresent()) {
                return t;
            }
        }
        return switch (op) {
            case "Conv", "ConvTranspose" -> rank(node.input(1), graph, 4, "only 2-D convolutions are implemented");
            case "MaxPool", "AveragePool" -> node.outputs().size() > 1 && !node.outputs().get(1).isEmpty()
                    ? Optional.of("the Indices output is not implemented")
                    : rank(node.input(0), graph, 4, "only 2-D pooling is implemented");
            case "Resize" -> resize(node);
            case "BatchNormalization" -> node.attrLong("training_mode", 0) != 0
                    ? Optional.of("training mode is not implemented") : Optional.empty();
            case "Dropout" -> dropout(node, graph);
            case "Identity" -> graph.info(node.input(0)).map(TensorInfo::type).isEmpty()
                    ? Optional.of("only tensors (no sequences or optionals) are implemented") : Optional.empty();
            case "Cast" -> cast(node, graph, hostFolds);
            case "MatMul" -> matMul(node, graph);
            case "Gemm" -> !node.input(2).isEmpty() && !graph.isWeight(node.input(2)) && node.attrFloat("beta", 1f) != 1f
                    ? Optional.of("a computed C with beta != 1 is not implemented") : Optional.empty();
            default -> Optional.empty();
        };
    }

    private static final Set<DataType> CASTABLE = Set.of(DataType.FLOAT, DataType.INT64, DataType.INT32, DataType.BOOL);

    private static Optional<String> cast(Node node, Graph graph, boolean hostFolds) {
        DataType to = DataType.fromOnnx((int) node.attrLong("to", 1));
        DataType from = graph.info(node.input(0)).map(TensorInfo::type).orElse(null);
        if (!CASTABLE.contains(to) || (from != null && !CASTABLE.contains(from))) {
            return Optional.of("Cast " + from + " -> " + to + " (implemented: FLOAT, INT64, INT32, BOOL)");
        }
        if (!hostFolds && to != DataType.FLOAT) {
            return Optional.of("Cast to " + to + " of device data is not implemented (only to FLOAT)");
        }
        return Optional.empty();
    }

    private static Optional<String> dropout(Node node, Graph graph) {
        String mask = node.outputs().size() > 1 ? node.outputs().get(1) : "";
        if (!mask.isEmpty() && graph.isUsed(mask)) {
            return Optional.of("the mask output is not implemented");
        }
        String training = node.input(2);
        if (!training.isEmpty()) {
            org.sparoa.api.Tensor t = graph.weights().get(training);
            if (t == null || t.elementCount() != 1 || t.toLongArray()[0] != 0) {
                return Optional.of("training mode is not implemented");
            }
        }
        return Optional.empty();
    }

    private static Optional<String> matMul(Node node, Graph graph) {
        long[] a = graph.info(node.input(0)).map(TensorInfo::shape).orElse(null);
        long[] b = graph.info(node.input(1)).map(TensorInfo::shape).orElse(null);
        if ((a != null && a.length < 2) || (b != null && b.length < 2)) {
            return Optional.of("MatMul of rank-1 operands is not implemented");
        }
        if (a != null && b != null && a.length > 2 && b.length > 2) {
            long[] ab = java.util.Arrays.copyOf(a, a.length - 2);
            long[] bb = java.util.Arrays.copyOf(b, b.length - 2);
            if (!java.util.Arrays.equals(ab, bb)) {
                return Optional.of("MatMul batch broadcasting is not implemented");
            }
        }
        return Optional.empty();
    }

    private static Optional<String> rank(String tensor, Graph graph, int rank, String why) {
        long[] s = tensor.isEmpty() ? null : graph.info(tensor).map(TensorInfo::shape).orElse(null);
        return s != null && s.length != rank ? Optional.of(why) : Optional.empty();
    }

    private static Optional<String> deviceTypes(Node node, Graph graph) {
        for (int i = 0; i < node.inputs().size(); i++) {
            String in = node.input(i);
            if (in.isEmpty() || ParameterInputs.isParameter(node, i)) {
                continue;
            }
            DataType t = graph.info(in).map(TensorInfo::type).orElse(null);
            if (t != null && !DEVICE_TYPES.contains(t) && !(node.opType().equals("Cast"))) {
                return Optional.of("input '" + in + "' is " + t + " (the device computes FLOAT, and BOOL masks)");
            }
        }
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
        if (!node.attrString("keep_aspect_ratio_policy", "stretch").equals("stretch")) {
            return Optional.of("keep_aspect_ratio_policy " + node.attrString("keep_aspect_ratio_policy", "")
                    + " is not implemented");
        }
        if (node.attrLong("antialias", 0) != 0) {
            return Optional.of("antialias is not implemented");
        }
        return Optional.empty();
    }
}
