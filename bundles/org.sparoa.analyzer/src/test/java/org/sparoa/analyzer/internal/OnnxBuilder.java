package org.sparoa.analyzer.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
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
import com.google.protobuf.ByteString;

/** Writes small ONNX models for tests: float inputs, float initializers, nodes with INT/INTS/STRING attributes. */
final class OnnxBuilder {
    private final GraphProto.Builder graph = GraphProto.newBuilder().setName("test");
    private final List<String> customDomains = new ArrayList<>();

    /** A graph input; a negative dimension is dynamic (named), null shape: no shape at all. */
    OnnxBuilder input(String name, long... shape) {
        graph.addInput(info(name, shape));
        return this;
    }

    /** A graph output of unknown shape. */
    OnnxBuilder output(String name) {
        graph.addOutput(info(name, null));
        return this;
    }

    OnnxBuilder output(String name, long... shape) {
        graph.addOutput(info(name, shape));
        return this;
    }

    /** Annotates an intermediate tensor's shape. */
    OnnxBuilder valueInfo(String name, long... shape) {
        graph.addValueInfo(info(name, shape));
        return this;
    }

    /** A float initializer with values 1, 2, 3, ... (never zero). */
    OnnxBuilder weight(String name, long... shape) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = 0.01f * (i % 97 + 1);
        }
        return weight(name, shape, v);
    }

    OnnxBuilder weight(String name, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(b.array()));
        for (long d : shape) {
            t.addDims(d);
        }
        graph.addInitializer(t);
        return this;
    }

    /** A node; {@code attrs} alternate name and value: Long, long[], String. */
    OnnxBuilder node(String op, String name, List<String> inputs, List<String> outputs, Object... attrs) {
        return node("", op, name, inputs, outputs, attrs);
    }

    OnnxBuilder node(String domain, String op, String name, List<String> inputs, List<String> outputs, Object... attrs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name).setDomain(domain)
                .addAllInput(inputs).addAllOutput(outputs);
        for (int i = 0; i < attrs.length; i += 2) {
            String key = (String) attrs[i];
            Object v = attrs[i + 1];
            AttributeProto.Builder a = AttributeProto.newBuilder().setName(key);
            if (v instanceof Long l) {
                a.setType(AttributeProto.AttributeType.INT).setI(l);
            } else if (v instanceof Integer l) {
                a.setType(AttributeProto.AttributeType.INT).setI(l);
            } else if (v instanceof long[] ls) {
                a.setType(AttributeProto.AttributeType.INTS);
                for (long x : ls) {
                    a.addInts(x);
                }
            } else if (v instanceof String s) {
                a.setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(s));
            } else {
                throw new IllegalArgumentException("attribute type " + v.getClass());
            }
            n.addAttribute(a);
        }
        if (!domain.isEmpty() && !customDomains.contains(domain)) {
            customDomains.add(domain);
        }
        graph.addNode(n);
        return this;
    }

    byte[] build() {
        ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(8).setProducerName("sparoa-analyzer-test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17));
        customDomains.forEach(d -> m.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(d).setVersion(1)));
        return m.setGraph(graph).build().toByteArray();
    }

    private static ValueInfoProto info(String name, long[] shape) {
        TypeProto.Tensor.Builder tt = TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE);
        if (shape != null) {
            TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
            for (int i = 0; i < shape.length; i++) {
                s.addDim(shape[i] < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("d" + i)
                        : TensorShapeProto.Dimension.newBuilder().setDimValue(shape[i]));
            }
            tt.setShape(s);
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tt)).build();
    }
}
