package org.sparoa.backend.ort.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.sparoa.api.CompiledSegment;
import org.sparoa.api.DataType;
import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Segment;
import org.sparoa.api.Shapes;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;

/**
 * Warms the Java side of running a segment on ONNX Runtime, the code every model's requests share (this backend's
 * segment path and ONNX Runtime's Java binding), by running a tiny built-in model of two outputs as a whole-model
 * segment, so that a platform's first model does not time that code while the JIT still profiles it. The engine's
 * warm-up of a model's request path replays the segments and runs them for real only once in 64 times.
 * Measured in docs/performance.md, "Spinning for a bounded time".
 */
final class JavaPathWarmup {
    /**
     * Runs of the tiny model: a few thousand calls bring the shared path's methods to their final compilation, where a
     * first model's own warm-up (300 requests, and one real run in 64 replays) leaves them a few hundred calls in.
     */
    static final int RUNS = 2000;
    /** The most the warm-up may take, whatever the machine. */
    static final long MAX_NANOS = 300_000_000L;
    private static final long[] SHAPE = {1, 4, 8, 8};

    private JavaPathWarmup() {
    }

    /** Runs the tiny model on {@code backend} up to {@link #RUNS} times within {@link #MAX_NANOS}; the runs done. */
    static int run(OrtCpuBackend backend) {
        Segment whole = wholeModel();
        Map<String, Tensor> inputs = Map.of("X", Tensor.wrap(DataType.FLOAT, SHAPE, ByteBuffer.allocate(
                Math.toIntExact(Shapes.elementCount(SHAPE) * Float.BYTES)).order(ByteOrder.LITTLE_ENDIAN)));
        long deadline = System.nanoTime() + MAX_NANOS;
        int runs = 0;
        try (CompiledSegment segment = backend.compileWithoutWarmup(whole)) {
            while (runs < RUNS && System.nanoTime() < deadline) {
                segment.run(inputs);
                runs++;
            }
        }
        return runs;
    }

    /** X[1,4,8,8] -> Relu -> R, Neg -> N: the tiny model as this backend compiles it. */
    static Segment wholeModel() {
        byte[] onnx = onnx();
        TensorInfo x = new TensorInfo("X", DataType.FLOAT, SHAPE, null);
        List<TensorInfo> outputs = List.of(new TensorInfo("R", DataType.FLOAT, SHAPE, null),
                new TensorInfo("N", DataType.FLOAT, SHAPE, null));
        List<Node> nodes = List.of(new Node("relu", "Relu", "", List.of("X"), List.of("R"), Map.of()),
                new Node("neg", "Neg", "", List.of("X"), List.of("N"), Map.of()));
        Graph g = new Graph("sparoa-warm-up", nodes, List.of(x), outputs, Map.of(), Map.of(), Map.of("", 13L));
        Model model = new Model("sparoa-warm-up", null, "0", g, onnx);
        return new Segment(0, model, nodes, List.of(x), outputs, () -> onnx);
    }

    /** The tiny model as ONNX bytes (opset 13), written field by field in protobuf's wire format. */
    static byte[] onnx() {
        ProtoWriter graph = new ProtoWriter()
                .message(1, node("X", "R", "relu", "Relu"))
                .message(1, node("X", "N", "neg", "Neg"))
                .string(2, "sparoa-warm-up")
                .message(11, valueInfo("X"))
                .message(12, valueInfo("R"))
                .message(12, valueInfo("N"));
        return new ProtoWriter()
                .varint(1, 8) // ir_version
                .message(8, new ProtoWriter().string(1, "").varint(2, 13)) // opset_import
                .message(7, graph)
                .bytes();
    }

    private static ProtoWriter node(String input, String output, String name, String opType) {
        return new ProtoWriter().string(1, input).string(2, output).string(3, name).string(4, opType);
    }

    /** A float tensor of {@link #SHAPE}. */
    private static ProtoWriter valueInfo(String name) {
        ProtoWriter shape = new ProtoWriter();
        for (long d : SHAPE) {
            shape.message(1, new ProtoWriter().varint(1, d));
        }
        ProtoWriter tensor = new ProtoWriter().varint(1, 1 /* FLOAT */).message(2, shape);
        return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensor));
    }

    /** Just enough of protobuf's wire format for the model above: varints, strings and nested messages. */
    static final class ProtoWriter {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        ProtoWriter varint(int field, long value) {
            raw((long) field << 3);
            raw(value);
            return this;
        }

        ProtoWriter string(int field, String value) {
            return lengthDelimited(field, value.getBytes(StandardCharsets.UTF_8));
        }

        ProtoWriter message(int field, ProtoWriter message) {
            return lengthDelimited(field, message.bytes());
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        private ProtoWriter lengthDelimited(int field, byte[] value) {
            raw((long) field << 3 | 2);
            raw(value.length);
            out.writeBytes(value);
            return this;
        }

        private void raw(long value) {
            while ((value & ~0x7FL) != 0) {
                out.write((int) (value & 0x7F) | 0x80);
                value >>>= 7;
            }
            out.write((int) value);
        }
    }
}
