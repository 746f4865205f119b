package org.sparoa.backend.sparse.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.sparoa.api.DataType;
import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;

/**
 * The direct hand-over (float outputs in direct buffers, output arrays recycled) gives bit for bit what the copying
 * one gives and never writes into its inputs; a compiled segment's warm-up is bounded by its run count.
 */
class HandOverAndWarmupTest {
    private static final long[] X = {1, 16, 24, 24};

    @Test
    void directOutputsAreBitIdenticalToCopiedOnesAndInputsStayUntouched() {
        directOutputsAreBitIdenticalToCopiedOnes(X);
    }

    /** 1 MiB per tensor: copied in and out by both threads of the team (above {@link NdArray#PARALLEL_COPY_MIN_FLOATS}). */
    @Test
    void largeTensorsCopiedByTheTeamAreBitIdenticalToo() {
        long[] big = {1, 16, 128, 128};
        assertTrue(big[1] * big[2] * big[3] >= 2L * NdArray.PARALLEL_COPY_MIN_FLOATS);
        directOutputsAreBitIdenticalToCopiedOnes(big);
    }

    private void directOutputsAreBitIdenticalToCopiedOnes(long[] shape) {
        SparseCpuBackend direct = new SparseCpuBackend(2, 0.2, 100, SparseCpuBackend.HandOver.DIRECT, 0, 0);
        SparseCpuBackend copying = new SparseCpuBackend(2, 0.2, 100, SparseCpuBackend.HandOver.COPY, 0, 0);
        try {
            Segment segment = segment(shape);
            var a = direct.compile(segment);
            var b = copying.compile(segment);
            List<Map<String, Tensor>> earlier = new ArrayList<>();
            List<Map<String, Tensor>> expected = new ArrayList<>();
            for (int run = 0; run < 5; run++) {
                Tensor x = input(shape, run, run % 2 == 0);
                byte[] before = bytes(x);
                Map<String, Tensor> fromDirect = run % 2 == 0 ? a.run(Map.of("x", x)) : a.execute(Map.of("x", x)).join();
                Map<String, Tensor> fromCopy = b.run(Map.of("x", x));
                assertArrayEquals(before, bytes(x), "input of run " + run + " unchanged");
                for (String name : List.of("y", "z")) {
                    assertEquals(fromCopy.get(name), fromDirect.get(name), name + " of run " + run);
                    assertTrue(fromDirect.get(name).bytes().isDirect(), name + " crosses in a direct buffer");
                    assertFalse(fromCopy.get(name).bytes().isDirect());
                }
                earlier.add(fromDirect);
                expected.add(fromCopy);
            }
            // the arrays recycled after each run never show through tensors returned earlier
            for (int run = 0; run < earlier.size(); run++) {
                assertEquals(expected.get(run), earlier.get(run), "outputs of run " + run + " after later runs");
            }
        } finally {
            direct.close();
            copying.close();
        }
    }

    @Test
    void warmupAtCompileTimeStopsAtItsRunCount() {
        SparseCpuBackend backend = new SparseCpuBackend(2, 0.2, 100, SparseCpuBackend.HandOver.DIRECT, 5, 600_000);
        try {
            CompiledSparseSegment first = (CompiledSparseSegment) backend.compile(segment(X));
            assertEquals(5, first.runs(), "five warm-up runs, not the ten minutes allowed");
            assertEquals(5, first.warmupRuns());
            // the same kinds of kernel in another segment are warm already
            CompiledSparseSegment second = (CompiledSparseSegment) backend.compile(segment(new long[] {1, 16, 12, 12}));
            assertEquals(0, second.runs());
            first.run(Map.of("x", input(X, 1, true)));
            assertEquals(6, first.runs(), "a request after the warm-up runs once");
        } finally {
            backend.close();
        }
    }

    /** Relu and Sigmoid share a kernel class but not their loops: a warm Relu does not make a Sigmoid warm. */
    @Test
    void kernelsOfOneClassOnDifferentPathsWarmUpEachOnItsOwn() {
        SparseCpuBackend backend = new SparseCpuBackend(2, 0.2, 100, SparseCpuBackend.HandOver.DIRECT, 5, 600_000);
        try {
            CompiledSparseSegment relu = (CompiledSparseSegment) backend.compile(unary("Relu", X));
            assertEquals(5, relu.warmupRuns());
            CompiledSparseSegment otherRelu =
                    (CompiledSparseSegment) backend.compile(unary("Relu", new long[] {1, 8, 9, 9}));
            assertEquals(0, otherRelu.warmupRuns(), "a second Relu runs the code the first one warmed");
            CompiledSparseSegment sigmoid = (CompiledSparseSegment) backend.compile(unary("Sigmoid", X));
            assertEquals(5, sigmoid.warmupRuns(), "the Sigmoid's loop was never run before");
        } finally {
            backend.close();
        }
    }

    @Test
    void noWarmupWhenSwitchedOff() {
        SparseCpuBackend backend = new SparseCpuBackend(2, 0.2, 100, SparseCpuBackend.HandOver.DIRECT, 0, 300);
        try {
            CompiledSparseSegment c = (CompiledSparseSegment) backend.compile(segment(X));
            assertEquals(0, c.runs());
            c.run(Map.of("x", input(X, 1, false)));
            assertEquals(1, c.runs());
        } finally {
            backend.close();
        }
    }

    @Test
    void aSegmentOfUnknownInputShapeWarmsUpOnItsFirstRequest() {
        SparseCpuBackend backend = new SparseCpuBackend(2, 0.2, 100, SparseCpuBackend.HandOver.DIRECT, 4, 600_000);
        try {
            CompiledSparseSegment c = (CompiledSparseSegment) backend.compile(segment(new long[] {-1, 16, 24, 24}));
            assertEquals(0, c.runs(), "nothing to warm up on before a request says the shape");
            Tensor x = input(X, 3, false);
            Map<String, Tensor> out = c.execute(Map.of("x", x)).join();
            assertEquals(5, c.runs(), "four warm-up runs on the first request's inputs, then the request");
            assertArrayEquals(X, out.get("z").shape());
            c.run(Map.of("x", x));
            assertEquals(6, c.runs());
        } finally {
            backend.close();
        }
    }

    private static byte[] bytes(Tensor t) {
        ByteBuffer b = t.bytes();
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return a;
    }

    private static Tensor input(long[] shape, long seed, boolean direct) {
        int n = (int) (shape[0] * shape[1] * shape[2] * shape[3]);
        float[] v = Nodes.random(new Random(seed), n, 0.3);
        ByteBuffer b = (direct ? ByteBuffer.allocateDirect(n * 4) : ByteBuffer.allocate(n * 4)).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return Tensor.wrap(DataType.FLOAT, shape, b);
    }

    /** The whole one-operator model x -> y = OP(x). */
    private static Segment unary(String opType, long[] shape) {
        List<TensorInfo> ins = List.of(new TensorInfo("x", DataType.FLOAT, shape));
        List<TensorInfo> outs = List.of(new TensorInfo("y", DataType.FLOAT, shape));
        Graph g = new Graph("g", List.of(new Node("op", opType, "", List.of("x"), List.of("y"), Map.of())), ins, outs,
                Map.of(), Map.of(), Map.of("", 13L));
        Model model = new Model("m", null, "0", g, new byte[0]);
        return new Segment(0, model, g.nodes(), ins, outs, () -> {
            throw new UnsupportedOperationException("not needed");
        });
    }

    /** The segment x -> y = Relu(Conv1x1(x, w)) (80 % zero weights), z = Sigmoid(x) of a model whose output is y + z. */
    private static Segment segment(long[] xShape) {
        int c = (int) xShape[1];
        float[] w = Nodes.random(new Random(11), c * c, 0.8);
        long[] yShape = xShape.clone();
        List<Node> nodes = List.of(
                new Node("conv", "Conv", "", List.of("x", "w"), List.of("c"), Map.of()),
                new Node("relu", "Relu", "", List.of("c"), List.of("y"), Map.of()),
                new Node("sigmoid", "Sigmoid", "", List.of("x"), List.of("z"), Map.of()),
                new Node("sum", "Add", "", List.of("y", "z"), List.of("s"), Map.of()));
        List<TensorInfo> ins = List.of(new TensorInfo("x", DataType.FLOAT, xShape));
        List<TensorInfo> outs = List.of(new TensorInfo("y", DataType.FLOAT, yShape),
                new TensorInfo("z", DataType.FLOAT, xShape));
        Graph g = new Graph("g", nodes, ins, List.of(new TensorInfo("s", DataType.FLOAT, xShape)),
                Map.of("w", Tensor.ofFloats(new long[] {c, c, 1, 1}, w)), Map.of(), Map.of("", 13L));
        Model model = new Model("m", null, "0", g, new byte[0]);
        // the first three operators: y and z cross to the segment of the last one
        return new Segment(0, model, g.nodes().subList(0, 3), ins, outs, () -> {
            throw new UnsupportedOperationException("not needed");
        });
    }
}
