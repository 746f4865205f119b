package org.sparoa.backend.sparse.internal;

import java.util.Map;

import org.sparoa.api.Graph;
import org.sparoa.api.Node;

/** Builds the kernel of one supported node; constant weights are packed here, once. */
final class KernelFactory {
    private final double denseBelowSparsity;

    KernelFactory(double denseBelowSparsity) {
        this.denseBelowSparsity = denseBelowSparsity;
    }

    /** A planned node: a Conv with fused operations gets them as its epilogue (residual add, clamp). */
    Kernel create(ConvFusion.Planned planned, Graph graph, Map<String, NdArray> constants) {
        Node node = planned.node();
        if (planned.depthwise() != null) {
            return new DepthwisePointwise(planned.depthwise(), planned, constants.get(planned.depthwise().node().input(1)),
                    constants.get(node.input(3)), denseBelowSparsity);
        }
        if (planned.fused() && node.opType().equals("Conv")) {
            return new CsrConv2d(node, constants.get(node.input(1)), denseBelowSparsity, planned.addsResidual(),
                    planned.epilogue());
        }
        return create(node, graph, constants);
    }

    Kernel create(Node node, Graph graph, Map<String, NdArray> constants) {
        long opset = graph.opsets().getOrDefault("", graph.opsets().getOrDefault("ai.onnx", 21L));
        return switch (node.opType()) {
            case "Conv" -> new CsrConv2d(node, constants.get(node.input(1)), denseBelowSparsity);
            case "ConvTranspose" -> new ConvTranspose2d(node);
            case "Gemm" -> new CsrGemm(node, constants.get(node.input(1)), denseBelowSparsity);
            case "MatMul" -> new CsrMatMul(node, constants.get(node.input(1)), denseBelowSparsity);
            case "BatchNormalization" -> new BatchNormalization(node);
            case "Relu" -> new ElementwiseUnary(node, ElementwiseUnary.Op.RELU);
            case "LeakyRelu" -> new ElementwiseUnary(node, ElementwiseUnary.Op.LEAKY_RELU);
            case "Sigmoid" -> new ElementwiseUnary(node, ElementwiseUnary.Op.SIGMOID);
            case "HardSigmoid" -> new ElementwiseUnary(node, ElementwiseUnary.Op.HARD_SIGMOID);
            case "HardSwish" -> new ElementwiseUnary(node, ElementwiseUnary.Op.HARD_SWISH);
            case "Clip" -> new ElementwiseUnary(node, ElementwiseUnary.Op.CLIP);
            case "PRelu" -> new BroadcastBinary(node, BroadcastBinary.Op.PRELU);
            case "Add" -> new BroadcastBinary(node, BroadcastBinary.Op.ADD);
            case "Sub" -> new BroadcastBinary(node, BroadcastBinary.Op.SUB);
            case "Mul" -> new BroadcastBinary(node, BroadcastBinary.Op.MUL);
            case "Div" -> new BroadcastBinary(node, BroadcastBinary.Op.DIV);
            case "Pow" -> new BroadcastBinary(node, BroadcastBinary.Op.POW);
            case "Sqrt" -> new ElementwiseUnary(node, ElementwiseUnary.Op.SQRT);
            case "ReduceMean" -> new ReduceMean(node, opset);
            case "GlobalAveragePool" -> new GlobalAveragePool(node);
            case "AveragePool" -> new Pooling(node, false);
            case "MaxPool" -> new Pooling(node, true);
            case "Concat" -> new Concat(node);
            case "Reshape" -> new ReshapeLike(node, ReshapeLike.Op.RESHAPE);
            case "Flatten" -> new ReshapeLike(node, ReshapeLike.Op.FLATTEN);
            case "Squeeze" -> new ReshapeLike(node, ReshapeLike.Op.SQUEEZE);
            case "Unsqueeze" -> new ReshapeLike(node, ReshapeLike.Op.UNSQUEEZE);
            case "Transpose" -> new Transpose(node);
            case "Softmax" -> new Softmax(node, opset);
            case "Pad" -> new Pad(node);
            case "Resize" -> new Resize(node);
            case "Identity", "Dropout" -> new PassThrough();
            case "Sum" -> new VariadicSum(node);
            case "LRN" -> new LocalResponseNormalization(node);
            case "Shape" -> new ShapeOf(node);
            case "Slice" -> new Slice(node, opset);
            case "Split" -> new Split(node);
            case "Cast" -> new Cast(node);
            case "Equal" -> new Comparison(node, Comparison.Op.EQUAL);
            case "Less" -> new Comparison(node, Comparison.Op.LESS);
            case "LessOrEqual" -> new Comparison(node, Comparison.Op.LESS_OR_EQUAL);
            case "Greater" -> new Comparison(node, Comparison.Op.GREATER);
            case "GreaterOrEqual" -> new Comparison(node, Comparison.Op.GREATER_OR_EQUAL);
            default -> throw new IllegalArgumentException(node + ": operator " + node.opType() + " is not implemented");
        };
    }
}
