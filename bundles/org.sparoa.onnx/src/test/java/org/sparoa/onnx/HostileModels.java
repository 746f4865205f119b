package org.sparoa.onnx;

import java.util.List;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

/** Small ONNX models built in code, each with one thing wrong, as a hostile user would hand them in. */
final class HostileModels {
    private HostileModels() {
    }

    static ValueInfoProto floatInfo(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }

    static NodeProto node(String name, String op, List<String> in, List<String> out) {
        return NodeProto.newBuilder().setName(name).setOpType(op).addAllInput(in).addAllOutput(out).build();
    }

    /** {@code y = Relu(x)} over 1x4, opset {@code opset}, IR version {@code ir}. */
    static ModelProto.Builder relu(long ir, long opset) {
        GraphProto g = GraphProto.newBuilder().setName("relu")
                .addInput(floatInfo("x", 1, 4)).addOutput(floatInfo("y", 1, 4))
                .addNode(node("relu", "Relu", List.of("x"), List.of("y"))).build();
        return ModelProto.newBuilder().setIrVersion(ir).setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset));
    }

    static TensorProto floatInitializer(String name, long[] dims, int values) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (long d : dims) {
            t.addDims(d);
        }
        for (int i = 0; i < values; i++) {
            t.addFloatData(i);
        }
        return t.build();
    }

    /** {@code y = x + w} with the initializer {@code w} as given. */
    static ModelProto addWith(TensorProto w) {
        GraphProto g = GraphProto.newBuilder().setName("add")
                .addInput(floatInfo("x", 1, 4)).addOutput(floatInfo("y", 1, 4)).addInitializer(w)
                .addNode(node("add", "Add", List.of("x", w.getName()), List.of("y"))).build();
        return ModelProto.newBuilder().setIrVersion(8).setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).build();
    }

    /** {@code y = x + ConstantOfShape(shape)} with a constant shape. */
    static ModelProto constantOfShape(long... shape) {
        TensorProto.Builder s = TensorProto.newBuilder().setName("shape").setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(shape.length);
        for (long d : shape) {
            s.addInt64Data(d);
        }
        NodeProto cos = NodeProto.newBuilder().setName("fill").setOpType("ConstantOfShape").addInput("shape")
                .addOutput("c").addAttribute(AttributeProto.newBuilder().setName("value")
                        .setType(AttributeProto.AttributeType.TENSOR)
                        .setT(TensorProto.newBuilder().setDataType(TensorProto.DataType.FLOAT_VALUE).addDims(1)
                                .addFloatData(1f))).build();
        GraphProto g = GraphProto.newBuilder().setName("cos").addInput(floatInfo("x", 1, 4))
                .addOutput(floatInfo("y", 1, 4)).addInitializer(s).addNode(cos)
                .addNode(node("add", "Add", List.of("x", "c"), List.of("y"))).build();
        return ModelProto.newBuilder().setIrVersion(8).setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).build();
    }
}
