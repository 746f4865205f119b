package org.sparoa.backend.sparse.internal;

import java.util.Optional;
import java.util.Set;

import org.sparoa.api.DataType;
import org.sparoa.api.Graph;
import org.sparoa.api.Node;
import org.sparoa.api.TensorInfo;

/**
 * What this backend runs: the operator types, and per node the attributes and element types its kernels
 * implement. Whatever is refused here is refused with the reason, which {@code compile} reports.
 */
final class OperatorSupport {
    static final Set<String> OPERATORS = Set.of(
            "Conv", "ConvTranspose", "Gemm", "MatMul", "BatchNormalization",
            "Relu", "LeakyRelu", "PRelu", "Clip", "Sigmoid", "HardSigmoid", "HardSwish",
            "Add", "Sub", "Mul", "Div", "Pow", "Sqrt", "ReduceMean",
            "GlobalAveragePool", "AveragePool", "MaxPool",
            "Concat", "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze",
            "Softmax", "Pad", "Resize",
            "Identity", "Dropout", "Sum", "LRN",
            "Shape", "Slice", "Split", "Cast", "Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual");

    private static final Set<String> COMPARISONS = Set.of("Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual");
    private static final Set<DataType> FLOAT_ONLY = Set.of(DataType.FLOAT);
    private static final Set<DataType> NUMBERS = Set.of(DataType.FLOAT, DataType.INT64, DataType.INT32);
    private static final Set<DataType> NUMBERS_AND_BOOL = Set.of(DataType.FLOAT, DataType.INT64, DataType.INT32,
            DataType.BOOL);

    /** Operators whose data may also be int64 or int32 (shape arithmetic and shape plumbing), computed as int64. */
    private static final Set<String> INT64_DATA = Set.of(
            "Identity", "Sum", "Add", "Sub", "Mul", "Div", "Concat", "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze", "Pad",
            "Slice", "Split");

    private OperatorSupport() {
    }

    /** Empty when the node is supported, else why not. */
    static Optional<String> whyNot(Node node, Graph graph) {
        if (!node.domain().isEmpty() && !node.domain().equals("ai.onnx")) {
            return Optional.of("domain '" + node.domain() + "' is not the default ONNX domain");
        }
        String op = node.opType();
        if (!OPERATORS.contains(op)) {
            return Optional.of("operator " + op + " is not implemented");
        }
        long opset = graph.opsets().getOrDefault("", graph.opsets().getOrDefault("ai.onnx", 21L));
        Optional<String> types = checkTypes(node, graph);
        if (types.isPresent()) {
            return types;
        }
        return switch (op) {
            case "Conv" -> checkConv(node, graph);
            case "ConvTranspose" -> spatialRankAtMost(node, graph, 2);
            case "BatchNormalization" -> node.attrLong("training_mode", 0) != 0 || liveOutputs(node) > 1
                    ? Optional.of("training mode (running statistics outputs) is not implemented")
                    : Optional.empty();
            case "Dropout" -> checkDropout(node, graph);
            case "Identity" -> graph.info(node.input(0)).map(TensorInfo::type).isEmpty()
                    ? Optional.of("only tensors (no sequences or optionals) are implemented") : Optional.empty();
            case "MaxPool" -> liveOutputs(node) > 1
                    ? Optional.of("the Indices output is not implemented") : Optional.empty();
            case "Resize" -> checkResize(node, opset);
            case "Reshape" -> opset < 5 ? Optional.of("Reshape before opset 5 (shape attribute)") : Optional.empty();
            case "Cast" -> checkCast(node);
            case "Pad" -> Set.of("constant", "reflect", "edge", "wrap").contains(node.attrString("mode", "constant"))
                    ? Optional.empty() : Optional.of("pad mode " + node.attrString("mode", "")) ;
            default -> Optional.empty();
        };
    }

    private static Optional<String> checkTypes(Node node, Graph graph) {
        String op = node.opType();
        Set<DataType> inTypes = INT64_DATA.contains(op) ? NUMBERS : FLOAT_ONLY;
        Set<DataType> outTypes = inTypes;
        if (op.equals("Cast") || op.equals("Shape")) {
            inTypes = NUMBERS_AND_BOOL;
            outTypes = NUMBERS_AND_BOOL;
        } else if (COMPARISONS.contains(op)) {
            inTypes = NUMBERS;
            outTypes = Set.of(DataType.BOOL);
        }
        int dataInputs = switch (node.opType()) {
            case "Sum", "Concat", "Add", "Sub", "Mul", "Div", "PRelu", "Pow", "Gemm", "MatMul", "Conv", "ConvTranspose",
                 "BatchNormalization", "Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual" -> node.inputs().size();
            default -> 1;
        };
        for (int i = 0; i < Math.min(dataInputs, node.inputs().size()); i++) {
            Optional<String> bad = checkType(node.input(i), graph, inTypes);
            if (bad.isPresent()) {
                return bad;
            }
        }
        int dataOutputs = node.opType().equals("Dropout") ? 1 : node.outputs().size();
        for (String out : node.outputs().subList(0, Math.min(dataOutputs, node.outputs().size()))) {
            Optional<String> bad = checkType(out, graph, outTypes);
            if (bad.isPresent()) {
                return bad;
            }
        }
        if (node.opType().equals("Clip")) {
            for (int i = 1; i < node.inputs().size(); i++) {
                Optional<String> bad = checkType(node.input(i), graph, FLOAT_ONLY);
                if (bad.isPresent()) {
                    return bad;
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> checkType(String tensor, Graph graph, Set<DataType> allowed) {
        if (tensor.isEmpty()) {
            return Optional.empty();
        }
        DataType t = graph.info(tensor).map(TensorInfo::type).orElse(null);
        if (t == null || allowed.contains(t)) {
            return Optional.empty();
        }
        return Optional.of("tensor '" + tensor + "' is " + t + " (supported: "
                + allowed.stream().map(DataType::name).sorted().collect(java.util.stream.Collectors.joining(", ")) + ")");
    }

    private static Optional<String> checkCast(Node node) {
        try {
            Cast.target(node);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    private static Optional<String> checkConv(Node node, Graph graph) {
        long[] k = node.attrLongs("kernel_shape", null);
        if (k != null && k.length != 2) {
            return Optional.of("only 2-D convolutions are implemented, kernel_shape has " + k.length + " axes");
        }
        return spatialRankAtMost(node, graph, 2).or(() -> {
            int rank = rank(node.input(1), graph);
            return rank >= 0 && rank != 4 ? Optional.of("only 2-D convolutions are implemented") : Optional.empty();
        });
    }

    private static Optional<String> spatialRankAtMost(Node node, Graph graph, int max) {
        int rank = rank(node.input(1), graph);
        if (rank < 0) {
            rank = rank(node.input(0), graph);
        }
        return rank > max + 2 ? Optional.of((rank - 2) + "-D spatial input is not implemented") : Optional.empty();
    }

    /** Inference only: no mask output, and training_mode absent or a constant false. */
    private static Optional<String> checkDropout(Node node, Graph graph) {
        String mask = node.outputs().size() > 1 ? node.outputs().get(1) : "";
        if (!mask.isEmpty() && graph.isUsed(mask)) {
            return Optional.of("the mask output is not implemented");
        }
        String training = node.input(2);
        if (training.isEmpty()) {
            return Optional.empty();
        }
        org.sparoa.api.Tensor t = graph.weights().get(training);
        if (t != null && t.elementCount() == 1 && t.toLongArray()[0] == 0) {
            return Optional.empty();
        }
        return Optional.of("training mode is not implemented");
    }

    private static Optional<String> checkResize(Node node, long opset) {
        if (opset < 11) {
            return Optional.of("Resize before opset 11 is not implemented");
        }
        String mode = node.attrString("mode", "nearest");
        if (!mode.equals("nearest") && !mode.equals("linear")) {
            return Optional.of("resize mode " + mode + " is not implemented");
        }
        String ct = node.attrString("coordinate_transformation_mode", "half_pixel");
        if (!Set.of("half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners", "asymmetric",
                "tf_half_pixel_for_nearest").contains(ct)) {
            return Optional.of("coordinate_transformation_mode " + ct + " is not implemented");
        }
        if (node.attrLong("antialias", 0) != 0) {
            return Optional.of("antialias is not implemented");
        }
        if (!Set.of("round_prefer_floor", "round_prefer_ceil", "floor", "ceil")
                .contains(node.attrString("nearest_mode", "round_prefer_floor"))) {
            return Optional.of("nearest_mode " + node.attrString("nearest_mode", "") + " is not implemented");
        }
        return Optional.empty();
    }

    private static int rank(String tensor, Graph graph) {
        if (tensor.isEmpty()) {
            return -1;
        }
        return graph.info(tensor).map(TensorInfo::shape).map(s -> s.length).orElse(-1);
    }

    private static int liveOutputs(Node node) {
        int n = 0;
        for (String o : node.outputs()) {
            if (!o.isEmpty()) {
                n++;
            }
        }
        return n;
    }
}
