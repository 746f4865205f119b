package org.sparoa.onnx.internal;

import java.util.Map;
import java.util.Set;

import org.sparoa.api.DataType;
import org.sparoa.api.Node;

/**
 * Infers the element type of an operator's outputs from its inputs and attributes, for models that do not
 * annotate intermediate tensors. Cut-out segments need the type of every tensor they exchange.
 */
final class ElementTypeRules {
    private static final Set<String> INT64_OUT = Set.of("Shape", "Size", "NonZero", "ArgMax", "ArgMin",
            "NonMaxSuppression");
    private static final Set<String> BOOL_OUT = Set.of("Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual",
            "Not", "And", "Or", "Xor", "IsNaN", "IsInf");

    private ElementTypeRules() {
    }

    /** Type of output {@code index} of {@code node}; {@code known} maps tensor names to known types. */
    static DataType outputType(Node node, int index, Map<String, DataType> known) {
        String op = node.opType();
        if (!node.domain().isEmpty() && !node.domain().equals("ai.onnx")) {
            return firstInputType(node, known);
        }
        if (INT64_OUT.contains(op)) {
            return DataType.INT64;
        }
        if (BOOL_OUT.contains(op)) {
            return DataType.BOOL;
        }
        switch (op) {
            case "Cast", "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "EyeLike", "Multinomial":
                if (node.hasAttribute("to") || node.hasAttribute("dtype")) {
                    return DataType.fromOnnx((int) node.attrLong(node.hasAttribute("to") ? "to" : "dtype", 1));
                }
                return op.startsWith("Random") && !op.endsWith("Like") ? DataType.FLOAT : firstInputType(node, known);
            case "CastLike":
                return known.getOrDefault(node.input(1), DataType.FLOAT);
            case "ConstantOfShape":
                return node.hasAttribute("value") ? node.attributes().get("value").asTensor().type() : DataType.FLOAT;
            case "Constant":
                return node.hasAttribute("value") ? node.attributes().get("value").asTensor().type()
                        : node.hasAttribute("value_int") || node.hasAttribute("value_ints") ? DataType.INT64 : DataType.FLOAT;
            case "TopK":
                return index == 1 ? DataType.INT64 : firstInputType(node, known);
            case "MaxPool", "Unique":
                return index >= 1 ? DataType.INT64 : firstInputType(node, known);
            case "DequantizeLinear":
                return known.getOrDefault(node.input(1), DataType.FLOAT);
            case "QuantizeLinear":
                return node.input(2).isEmpty() ? DataType.UINT8 : known.getOrDefault(node.input(2), DataType.UINT8);
            case "DynamicQuantizeLinear":
                return index == 1 ? DataType.FLOAT : DataType.UINT8;
            case "MatMulInteger", "ConvInteger":
                return DataType.INT32;
            case "QLinearConv", "QLinearMatMul":
                return known.getOrDefault(node.input(7), DataType.UINT8);
            case "Where":
                return known.getOrDefault(node.input(1), DataType.FLOAT);
            default:
                return firstInputType(node, known);
        }
    }

    private static DataType firstInputType(Node node, Map<String, DataType> known) {
        for (String in : node.inputs()) {
            DataType t = known.get(in);
            if (t != null) {
                return t;
            }
        }
        return DataType.FLOAT;
    }
}
