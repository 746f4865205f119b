package org.sparoa.backend.ort.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparoa.api.CompiledSegment;
import org.sparoa.api.DataType;
import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;
import org.sparoa.onnx.OnnxModels;
import org.sparoa.onnx.OnnxSegments;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

/**
 * The direct hand-over (inputs read in place, outputs written by ONNX Runtime into buffers the returned tensors wrap)
 * gives bit for bit what the copying one gives, never writes into its inputs, and never reuses a buffer a returned
 * tensor holds.
 */
class HandOverTest {
    private static OrtCpuBackend direct;
    private static OrtCpuBackend copying;

    @BeforeAll
    static void start() {
        direct = new OrtCpuBackend("direct", 1, 1, OrtCpuBackend.Spinning.OFF, OrtCpuBackend.HandOver.DIRECT);
        copying = new OrtCpuBackend("copy", 1, 1, OrtCpuBackend.Spinning.OFF, OrtCpuBackend.HandOver.COPY);
    }

    @AfterAll
    static void stop() {
        direct.close();
        copying.close();
    }

    @Test
    void directOutputsAreBitIdenticalToCopiedOnesAcrossRunsAndShapes() {
        Segment segment = firstFour(elementwiseModel());
        try (CompiledSegment a = direct.compile(segment); CompiledSegment b = copying.compile(segment)) {
            int batch = 1;
            for (int run = 0; run < 6; run++) {
                if (run == 3) {
                    batch = 2; // a new input shape: copied once, then written into buffers of the new size
                }
                Map<String, Tensor> in = Map.of("X", randomInput(new long[] {batch, 16, 8, 8}, run, run % 2 == 0));
                Map<String, Tensor> fromDirect = a.run(in);
                Map<String, Tensor> fromCopy = b.run(in);
                assertEquals(List.of("S", "D", "SH"), List.copyOf(fromDirect.keySet()));
                for (String name : fromCopy.keySet()) {
                    assertEquals(fromCopy.get(name), fromDirect.get(name), name + " of run " + run);
                }
                assertArrayEquals(new long[] {batch, 16, 8, 8}, fromDirect.get("S").shape());
                assertArrayEquals(new long[] {batch, 16, 8, 8}, fromDirect.get("SH").toLongArray());
                boolean secondRunOfShape = run == 1 || run == 2 || run == 4 || run == 5;
                assertEquals(secondRunOfShape, fromDirect.get("S").bytes().isDirect(),
                        "outputs written in place from the second run of a shape on (run " + run + ")");
                assertFalse(fromCopy.get("S").bytes().isDirect());
            }
        }
    }

    @Test
    void inputsAreNotWrittenAndOutputsSurviveTheNextRun() {
        Segment segment = firstFour(elementwiseModel());
        try (CompiledSegment a = direct.compile(segment)) {
            Tensor x = randomInput(new long[] {1, 16, 8, 8}, 7, true);
            byte[] before = bytesOf(x);
            Map<String, Tensor> first = a.run(Map.of("X", x));
            Map<String, Tensor> second = a.run(Map.of("X", x));
            assertArrayEquals(before, bytesOf(x), "input unchanged");
            byte[] secondS = bytesOf(second.get("S"));
            // an output fed back as the next input (as it crosses to the next segment), and a third run
            Tensor fed = second.get("D");
            byte[] fedBefore = bytesOf(fed);
            Map<String, Tensor> third = a.run(Map.of("X", fed));
            assertArrayEquals(fedBefore, bytesOf(fed), "an output used as input is not written");
            assertArrayEquals(secondS, bytesOf(second.get("S")), "a later run does not reuse an earlier output's buffer");
            assertEquals(first.get("S"), second.get("S"));
            float[] d = fed.toFloatArray();
            float[] d2 = third.get("D").toFloatArray();
            for (int i = 0; i < d.length; i++) {
                assertEquals(d[i] + d[i], d2[i], "D = X + X at " + i);
            }
        }
    }

    @Test
    void outputsWhoseShapeDependsOnValuesFallBackToCopies() {
        Segment segment = firstOne(nonZeroModel());
        try (CompiledSegment a = direct.compile(segment); CompiledSegment b = copying.compile(segment)) {
            for (int zeros : new int[] {3, 3, 10, 1, 1}) {
                float[] v = new float[32];
                for (int i = zeros; i < v.length; i++) {
                    v[i] = i;
                }
                Map<String, Tensor> in = Map.of("X", Tensor.ofFloats(new long[] {32}, v));
                Tensor expected = b.run(in).get("Y");
                Tensor actual = a.run(in).get("Y");
                assertEquals(expected, actual, "NonZero with " + zeros + " zeros");
                assertArrayEquals(new long[] {1, 32 - zeros}, actual.shape());
            }
        }
    }

    private static byte[] bytesOf(Tensor t) {
        ByteBuffer b = t.bytes();
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return a;
    }

    static Tensor randomInput(long[] shape, long seed, boolean inDirectBuffer) {
        Random r = new Random(seed);
        int n = (int) (shape[0] * shape[1] * shape[2] * shape[3]);
        ByteBuffer b = (inDirectBuffer ? ByteBuffer.allocateDirect(n * 4) : ByteBuffer.allocate(n * 4))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putFloat(r.nextFloat() * 4 - 2);
        }
        b.flip();
        return Tensor.wrap(DataType.FLOAT, shape, b);
    }

    @Test
    void theModelsOwnOutputsAreCopiedToTheHeapAndBoundaryOutputsComeBackThroughRecycle() {
        Model model = OnnxModels.fromBytes("handover", elementwiseModel(), null);
        Graph g = model.graph();
        Segment whole = new Segment(0, model, g.nodes(), g.inputs(), g.outputs(),
                () -> OnnxSegments.cut(model, model.id(), g.nodes(), g.inputs(), g.outputs()));
        Segment first = firstFour(elementwiseModel());
        try (CompiledSegment w = direct.compile(whole); CompiledSegment a = direct.compile(first)) {
            Map<String, Tensor> in = Map.of("X", randomInput(new long[] {1, 16, 8, 8}, 5, false));
            w.run(in);
            assertFalse(w.run(in).get("S2").bytes().isDirect(), "the model's output is the caller's, on the heap");
            a.run(in);
            Map<String, Tensor> second = a.run(in);
            Tensor expected = Tensor.of(DataType.FLOAT, second.get("S").shape(), second.get("S").bytes());
            a.recycle(second.values());
            Map<String, Tensor> third = a.run(in);
            assertEquals(expected, third.get("S"), "a recycled buffer holds the next run's output, written anew");
        }
    }

    /** The first four operators of {@link #elementwiseModel}: S, D and SH are read by the rest. */
    static Segment firstFour(byte[] onnx) {
        Model model = OnnxModels.fromBytes("handover", onnx, null);
        Graph g = model.graph();
        List<org.sparoa.api.Node> nodes = g.nodes().subList(0, 4);
        List<org.sparoa.api.TensorInfo> outs = List.of(g.info("S").orElseThrow(), g.info("D").orElseThrow(),
                g.info("SH").orElseThrow());
        return new Segment(0, model, nodes, g.inputs(), outs, () -> OnnxSegments.cut(model, "first", nodes, g.inputs(), outs));
    }

    /** The first operator of {@link #nonZeroModel}: its output Y is read by the second. */
    private static Segment firstOne(byte[] onnx) {
        Model model = OnnxModels.fromBytes("nonzero", onnx, null);
        Graph g = model.graph();
        List<org.sparoa.api.Node> nodes = g.nodes().subList(0, 1);
        List<org.sparoa.api.TensorInfo> outs = List.of(g.info("Y").orElseGet(
                () -> new org.sparoa.api.TensorInfo("Y", DataType.INT64, null)));
        return new Segment(0, model, nodes, g.inputs(), outs, () -> OnnxSegments.cut(model, "first", nodes, g.inputs(), outs));
    }

    /**
     * X[N,16,8,8] -> S = Sigmoid(Relu(X)), D = X + X, SH = Shape(X) (float and int64, a dynamic batch), then the
     * model's outputs S2 = Neg(S), D2 = Neg(D), SH2 = Neg(SH).
     */
    static byte[] elementwiseModel() {
        GraphProto.Builder g = GraphProto.newBuilder().setName("handover")
                .addNode(node("Relu", List.of("X"), "R"))
                .addNode(node("Sigmoid", List.of("R"), "S"))
                .addNode(node("Add", List.of("X", "X"), "D"))
                .addNode(node("Shape", List.of("X"), "SH"))
                .addNode(node("Neg", List.of("S"), "S2"))
                .addNode(node("Neg", List.of("D"), "D2"))
                .addNode(node("Neg", List.of("SH"), "SH2"))
                .addInput(valueInfo("X", TensorProto.DataType.FLOAT_VALUE, "N", 16, 8, 8))
                .addValueInfo(valueInfo("S", TensorProto.DataType.FLOAT_VALUE, "N", 16, 8, 8))
                .addValueInfo(valueInfo("D", TensorProto.DataType.FLOAT_VALUE, "N", 16, 8, 8))
                .addValueInfo(valueInfo("SH", TensorProto.DataType.INT64_VALUE, null, 4))
                .addOutput(valueInfo("S2", TensorProto.DataType.FLOAT_VALUE, "N", 16, 8, 8))
                .addOutput(valueInfo("D2", TensorProto.DataType.FLOAT_VALUE, "N", 16, 8, 8))
                .addOutput(valueInfo("SH2", TensorProto.DataType.INT64_VALUE, null, 4));
        return model(g);
    }

    /** X[32] -> Y = NonZero(X) (an output shape that depends on the input's values) -> Z = Neg(Y). */
    private static byte[] nonZeroModel() {
        GraphProto.Builder g = GraphProto.newBuilder().setName("nonzero")
                .addNode(node("NonZero", List.of("X"), "Y"))
                .addNode(node("Neg", List.of("Y"), "Z"))
                .addInput(valueInfo("X", TensorProto.DataType.FLOAT_VALUE, null, 32))
                .addOutput(ValueInfoProto.newBuilder().setName("Z").setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.INT64_VALUE))));
        return model(g);
    }

    private static byte[] model(GraphProto.Builder g) {
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("sparoa-test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(g).build().toByteArray();
    }

    private static NodeProto node(String op, List<String> inputs, String output) {
        return NodeProto.newBuilder().setOpType(op).setName(op.toLowerCase() + "_" + output).addAllInput(inputs)
                .addOutput(output).build();
    }

    /** {@code firstDim} null: the first of {@code dims} is fixed; else a symbolic first dimension. */
    private static ValueInfoProto valueInfo(String name, int type, String firstDim, long... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        if (firstDim != null) {
            s.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(firstDim));
        }
        for (long d : dims) {
            s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type).setShape(s))).build();
    }
}
