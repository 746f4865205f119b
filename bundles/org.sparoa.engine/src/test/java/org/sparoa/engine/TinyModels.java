package org.sparoa.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

/** Small ONNX models written to files for limit and planning tests. */
public final class TinyModels {
    private TinyModels() {
    }

    static ValueInfoProto floatInfo(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }

    static ValueInfoProto floatInfoUnshaped(String name) {
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE))).build();
    }

    /** {@code y = ReduceSum(Expand(Relu(x), shape))}: a tiny input blown up to {@code shape} in the middle. */
    static Path expand(Path dir, long... shape) throws IOException {
        TensorProto.Builder s = TensorProto.newBuilder().setName("shape").setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(shape.length);
        for (long d : shape) {
            s.addInt64Data(d);
        }
        GraphProto g = GraphProto.newBuilder().setName("expand").addInput(floatInfo("x", 1, 4))
                .addOutput(floatInfoUnshaped("y")).addInitializer(s)
                .addNode(node("relu", "Relu", List.of("x"), List.of("r")))
                .addNode(node("expand", "Expand", List.of("r", "shape"), List.of("big")))
                .addNode(node("sum", "ReduceSum", List.of("big"), List.of("y"))).build();
        return write(dir.resolve("expand.onnx"), g);
    }

    /** {@code y = Relu(Relu(x))} over 1x4. */
    public static Path twoRelus(Path dir, String name) throws IOException {
        GraphProto g = GraphProto.newBuilder().setName("relus").addInput(floatInfo("x", 1, 4))
                .addOutput(floatInfo("y", 1, 4))
                .addNode(node("first", "Relu", List.of("x"), List.of("h")))
                .addNode(node("second", "Relu", List.of("h"), List.of("y"))).build();
        return write(dir.resolve(name), g);
    }

    /**
     * {@code y = Relu(Gather(table, ids) + x)}: a two-row embedding table (as a token type table) indexed by an int64
     * input {@code ids} of shape 1x4, plus a float input {@code x} of shape 1x4x3.
     */
    public static Path twoRowEmbedding(Path dir) throws IOException {
        TensorProto table = TensorProto.newBuilder().setName("table").setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addDims(2).addDims(3).addAllFloatData(List.of(0.5f, -1f, 2f, -0.25f, 1f, 3f)).build();
        ValueInfoProto ids = ValueInfoProto.newBuilder().setName("ids").setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.INT64_VALUE).setShape(
                        TensorShapeProto.newBuilder()
                                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(1))
                                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(4))))).build();
        GraphProto g = GraphProto.newBuilder().setName("embedding").addInput(ids).addInput(floatInfo("x", 1, 4, 3))
                .addOutput(floatInfo("y", 1, 4, 3)).addInitializer(table)
                .addNode(node("gather", "Gather", List.of("table", "ids"), List.of("e")))
                .addNode(node("add", "Add", List.of("e", "x"), List.of("s")))
                .addNode(node("relu", "Relu", List.of("s"), List.of("y"))).build();
        return write(dir.resolve("embedding.onnx"), g);
    }

    private static NodeProto node(String name, String op, List<String> in, List<String> out) {
        return NodeProto.newBuilder().setName(name).setOpType(op).addAllInput(in).addAllOutput(out).build();
    }

    private static Path write(Path file, GraphProto g) throws IOException {
        ModelProto m = ModelProto.newBuilder().setIrVersion(8).setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).build();
        Files.write(file, m.toByteArray());
        return file;
    }
}
