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
 * (pruning then zeroes the smallest), and of weightless operators (Relu, Add, BatchNormalization, Transpose) over
 * the same stage shapes.
 */
public final class SyntheticGrid {
    record Conv(int cin, int cout, int hw, int k, int stride, boolean depthwise) {
    }

    record Matrix(String op, int m, int k, int n) {
    }

    /** The first grid (24 models), kept so that data sets measured with it keep their names. */
    static final List<Conv> FIRST_CONVS = List.of(
            new Conv(16, 32, 56, 1, 1, false), new Conv(32, 64, 28, 1, 1, false), new Conv(64, 128, 28, 1, 1, false),
            new Conv(128, 128, 14, 1, 1, false), new Conv(256, 256, 7, 1, 1, false), new Conv(24, 96, 80, 1, 1, false),
            new Conv(16, 16, 56, 3, 1, false), new Conv(32, 32, 56, 3, 1, false), new Conv(64, 64, 28, 3, 1, false),
            new Conv(128, 128, 14, 3, 1, false), new Conv(32, 64, 56, 3, 2, false), new Conv(3, 16, 112, 3, 2, false),
            new Conv(32, 32, 56, 3, 1, true), new Conv(96, 96, 28, 3, 1, true), new Conv(144, 144, 28, 3, 2, true),
            new Conv(64, 64, 28, 5, 1, true));
    /**
     * Channel widths and spatial sizes of a mobile CNN's stages: width c at spatial size hw, the band where
     * {@code c * hw} stays between 896 and 7168 (the early wide-and-large to late narrow-and-small layers).
     */
    static final List<int[]> STAGES = List.of(new int[] {16, 56}, new int[] {16, 112}, new int[] {32, 28},
            new int[] {32, 56}, new int[] {32, 112}, new int[] {64, 14}, new int[] {64, 28}, new int[] {64, 56},
            new int[] {128, 7}, new int[] {128, 14}, new int[] {128, 28}, new int[] {256, 7}, new int[] {256, 14});
    /**
     * The grid: the first one, then per stage a depthwise 3x3 (stride 1), a pointwise keeping the width, one
     * doubling it and one halving it; strided depthwise 3x3 and 5x5 on every other stage; a dense 3x3 on the
     * smaller stages (its cost grows with the square of the width).
     */
    static final List<Conv> CONVS = convs();
    static final List<Matrix> MATRICES = List.of(
            new Matrix("Gemm", 1, 512, 1000), new Matrix("Gemm", 1, 1024, 256), new Matrix("Gemm", 8, 256, 256),
            new Matrix("Gemm", 32, 512, 512), new Matrix("MatMul", 40, 64, 256), new Matrix("MatMul", 128, 64, 64),
            new Matrix("MatMul", 197, 192, 192), new Matrix("MatMul", 64, 256, 1024));
    /** Operators without weights, one model each per stage shape: their best backend depends on size, not sparsity. */
    static final List<String> ELEMENTWISE = List.of("Relu", "Add", "BatchNormalization", "Transpose");
    /**
     * Smaller tensors for the weightless operators (392 to 6,272 values, as in a text recogniser's late layers or a
     * detector's heads), where one runtime's fixed cost per operator decides; added after the stages so that every
     * earlier model keeps its name and seeded values.
     */
    static final List<int[]> SMALL = List.of(new int[] {8, 7}, new int[] {8, 14}, new int[] {16, 7},
            new int[] {16, 14}, new int[] {32, 7}, new int[] {32, 14});

    private static List<Conv> convs() {
        List<Conv> out = new ArrayList<>(FIRST_CONVS);
        for (int i = 0; i < STAGES.size(); i++) {
            int c = STAGES.get(i)[0];
            int hw = STAGES.get(i)[1];
            out.add(new Conv(c, c, hw, 3, 1, true));
            out.add(new Conv(c, c, hw, 1, 1, false));
            out.add(new Conv(c, 2 * c, hw, 1, 1, false));
            out.add(new Conv(2 * c, c, hw, 1, 1, false));
            if (i % 2 == 0) {
                out.add(new Conv(c, c, hw, 3, 2, true));
                out.add(new Conv(c, c, hw, 5, 1, true));
            }
            if ((long) c * c * hw * hw <= 64L * 64 * 28 * 28) {
                out.add(new Conv(c, c, hw, 3, 1, false));
            }
        }
        return List.copyOf(new java.util.LinkedHashSet<>(out));
    }

    private SyntheticGrid() {
    }

    /** Writes every grid model into {@code dir}; returns them as data set sources named {@code synthetic-...}. */
    public static List<ModelSource> write(Path dir, long seed) {
        List<ModelSource> out = new ArrayList<>();
        Random r = new Random(seed);
        try {
            Files.createDirectories(dir);
            // the first grid's models first, in their old order, so that their seeded weights stay as they were
            for (Conv c : FIRST_CONVS) {
                out.add(save(dir, name(c), conv(c, r)));
            }
            for (Matrix m : MATRICES) {
                String name = "synthetic-" + m.op().toLowerCase() + "-" + m.m() + "x" + m.k() + "x" + m.n();
                out.add(save(dir, name, matrix(m, r)));
            }
            for (Conv c : CONVS.subList(FIRST_CONVS.size(), CONVS.size())) {
                out.add(save(dir, name(c), conv(c, r)));
            }
            for (List<int[]> shapes : List.of(STAGES, SMALL)) {
                for (String op : ELEMENTWISE) {
                    for (int[] stage : shapes) {
                        String name = "synthetic-" + op.toLowerCase() + "-" + stage[0] + "-" + stage[1];
                        out.add(save(dir, name, elementwise(op, stage[0], stage[1], r)));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the synthetic models into " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static String name(Conv c) {
        return "synthetic-" + (c.depthwise() ? "dw" : "conv") + c.k() + "x" + c.k() + "-s" + c.stride() + "-"
                + c.cin() + "-" + c.cout() + "-" + c.hw();
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

    /**
     * One weightless operator on a {@code 1 x c x hw x hw} tensor: {@code Relu}, {@code Add} of two inputs (a
     * residual connection), {@code BatchNormalization} with seeded statistics, or {@code Transpose} to channels-last.
     */
    static byte[] elementwise(String op, int c, int hw, Random r) {
        int[] shape = {1, c, hw, hw};
        NodeProto.Builder node = NodeProto.newBuilder().setOpType(op).setName(op.toLowerCase()).addInput("X")
                .addOutput("Y");
        GraphProto.Builder g = GraphProto.newBuilder().setName(op.toLowerCase()).addInput(valueInfo("X", shape))
                .addOutput(valueInfo("Y", null));
        switch (op) {
            case "Relu" -> { }
            case "Add" -> {
                node.addInput("Z");
                g.addInput(valueInfo("Z", shape));
            }
            case "BatchNormalization" -> {
                for (String p : List.of("scale", "bias", "mean", "var")) {
                    node.addInput(p);
                    g.addInitializer(p.equals("var") ? positive(p, c, r) : tensor(p, new int[] {c}, r));
                }
            }
            case "Transpose" -> node.addAttribute(ints("perm", 0, 2, 3, 1));
            default -> throw new IllegalArgumentException("no synthetic model for " + op);
        }
        g.addNode(node);
        return model(g);
    }

    private static TensorProto positive(String name, int n, Random r) {
        ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putFloat((float) (0.5 + r.nextDouble()));
        }
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(b.array())).addDims(n).build();
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
