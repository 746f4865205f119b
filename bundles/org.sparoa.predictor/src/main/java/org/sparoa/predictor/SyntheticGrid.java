package org.sparoa.predictor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

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

/**
 * The synthetic part of the data set: one-operator ONNX models of convolutions (1x1, 3x3, strided, depthwise),
 * Gemm and MatMul over a grid of shapes typical of mobile CNNs and small transformers, with seeded Gaussian weights
 * (pruning then zeroes the smallest).
 */
public final class SyntheticGrid {
    record Conv(int cin, int cout, int hw, int k, int stride, boolean depthwise) {
    }

    record Matrix(String op, int m, int k, int n) {
    }

    static final List<Conv> CONVS = List.of(
            new Conv(16, 32, 56, 1, 1, false), new Conv(32, 64, 28, 1, 1, false), new Conv(64, 128, 28, 1, 1, false),
            new Conv(128, 128, 14, 1, 1, false), new Conv(256, 256, 7, 1, 1, false), new Conv(24, 96, 80, 1, 1, false),
            new Conv(16, 16, 56, 3, 1, false), new Conv(32, 32, 56, 3, 1, false), new Conv(64, 64, 28, 3, 1, false),
            new Conv(128, 128, 14, 3, 1, false), new Conv(32, 64, 56, 3, 2, false), new Conv(3, 16, 112, 3, 2, false),
            new Conv(32, 32, 56, 3, 1, true), new Conv(96, 96, 28, 3, 1, true), new Conv(144, 144, 28, 3, 2, true),
            new Conv(64, 64, 28, 5, 1, true));
    static final List<Matrix> MATRICES = List.of(
            new Matrix("Gemm", 1, 512, 1000), new Matrix("Gemm", 1, 1024, 256), new Matrix("Gemm", 8, 256, 256),
            new Matrix("Gemm", 32, 512, 512), new Matrix("MatMul", 40, 64, 256), new Matrix("MatMul", 128, 64, 64),
            new Matrix("MatMul", 197, 192, 192), new Matrix("MatMul", 64, 256, 1024));

    private SyntheticGrid() {
    }

    /** Writes every grid model into {@code dir}; returns them as data set sources named {@code synthetic-...}. */
    public static List<ModelSource> write(Path dir, long seed) {
        List<ModelSource> out = new ArrayList<>();
        Random r = new Random(seed);
        try {
            Files.createDirectories(dir);
            for (Conv c : CONVS) {
                String name = "synthetic-" + (c.depthwise() ? "dw" : "conv") + c.k() + "x" + c.k() + "-s" + c.stride()
                        + "-" + c.cin() + "-" + c.cout() + "-" + c.hw();
                out.add(save(dir, name, conv(c, r)));
            }
            for (Matrix m : MATRICES) {
                String name = "synthetic-" + m.op().toLowerCase() + "-" + m.m() + "x" + m.k() + "x" + m.n();
                out.add(save(dir, name, matrix(m, r)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the synthetic models into " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static ModelSource save(Path dir, String name, byte[] model) throws IOException {
        Path file = dir.resolve(name + ".onnx");
        Files.write(file, model);
        return new ModelSource(name, file, Map.of(), "synthetic");
    }

    static byte[] conv(Conv c, Random r) {
        int group = c.depthwise() ? c.cin() : 1;
        int[] w = {c.cout(), c.cin() / group, c.k(), c.k()};
        NodeProto.Builder node = NodeProto.newBuilder().setOpType("Conv").setName("conv").addInput("X").addInput("W")
                .addInput("B").addOutput("Y")
                .addAttribute(ints("kernel_shape", c.k(), c.k()))
                .addAttribute(ints("strides", c.stride(), c.stride()))
                .addAttribute(ints("pads", c.k() / 2, c.k() / 2, c.k() / 2, c.k() / 2))
                .addAttribute(AttributeProto.newBuilder().setName("group").setType(AttributeProto.AttributeType.INT)
                        .setI(group));
        GraphProto.Builder g = GraphProto.newBuilder().setName("conv").addNode(node)
                .addInitializer(tensor("W", w, r)).addInitializer(tensor("B", new int[] {c.cout()}, r))
                .addInput(valueInfo("X", new int[] {1, c.cin(), c.hw(), c.hw()})).addOutput(valueInfo("Y", null));
        return model(g);
    }

    static byte[] matrix(Matrix m, Random r) {
        NodeProto.Builder node = NodeProto.newBuilder().setOpType(m.op()).setName(m.op().toLowerCase())
                .addInput("X").addInput("W").addOutput("Y");
        GraphProto.Builder g = GraphProto.newBuilder().setName(m.op().toLowerCase())
                .addInitializer(tensor("W", new int[] {m.k(), m.n()}, r))
                .addInput(valueInfo("X", new int[] {m.m(), m.k()})).addOutput(valueInfo("Y", null));
        if (m.op().equals("Gemm")) {
            node.addInput("B");
            g.addInitializer(tensor("B", new int[] {m.n()}, r));
        }
        g.addNode(node);
        return model(g);
    }

    private static byte[] model(GraphProto.Builder g) {
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("sparoa-dataset")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(g).build().toByteArray();
    }

    private static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    private static TensorProto tensor(String name, int[] shape, Random r) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        double std = Math.sqrt(2.0 / Math.max(1, n / shape[0]));
        for (int i = 0; i < n; i++) {
            b.putFloat((float) (r.nextGaussian() * std));
        }
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(b.array()));
        for (int d : shape) {
            t.addDims(d);
        }
        return t.build();
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
