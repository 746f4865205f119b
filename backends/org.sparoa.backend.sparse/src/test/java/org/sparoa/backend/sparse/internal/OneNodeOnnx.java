package org.sparoa.backend.sparse.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;

/** Writes a one-operator ONNX model (input X, constant weights, output Y) for the ONNX Runtime side of a benchmark. */
final class OneNodeOnnx {
    private OneNodeOnnx() {
    }

    /**
     * @param weights initializer name -> (shape, values), wired as inputs 1, 2, ... in map order
     * @param intsAttrs INTS attributes; {@code group} and other INT attributes go in {@code intAttrs}
     */
    static byte[] model(String op, int[] xShape, Map<String, Object[]> weights, Map<String, long[]> intsAttrs,
                        Map<String, Long> intAttrs) {
        NodeProto.Builder node = NodeProto.newBuilder().setOpType(op).setName(op.toLowerCase()).addInput("X").addOutput("Y");
        GraphProto.Builder graph = GraphProto.newBuilder().setName("one_" + op);
        for (Map.Entry<String, Object[]> w : weights.entrySet()) {
            node.addInput(w.getKey());
            int[] shape = (int[]) w.getValue()[0];
            float[] values = (float[]) w.getValue()[1];
            ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            TensorProto.Builder t = TensorProto.newBuilder().setName(w.getKey())
                    .setDataType(TensorProto.DataType.FLOAT_VALUE).setRawData(ByteString.copyFrom(b.array()));
            for (int d : shape) {
                t.addDims(d);
            }
            graph.addInitializer(t);
        }
        intsAttrs.forEach((name, v) -> {
            AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
            for (long x : v) {
                a.addInts(x);
            }
            node.addAttribute(a);
        });
        intAttrs.forEach((name, v) -> node.addAttribute(
                AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v)));
        graph.addNode(node);
        graph.addInput(valueInfo("X", xShape));
        graph.addOutput(valueInfo("Y", null));
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("sparoa-bench")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(graph).build().toByteArray();
    }

    private static ValueInfoProto valueInfo(String name, int[] shape) {
        TypeProto.Tensor.Builder tt = TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE);
        if (shape != null) {
            TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
            for (int d : shape) {
                s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
            }
            tt.setShape(s);
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tt)).build();
    }
}
