package org.sparoa.backend.sparse.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sparoa.api.DataType;
import org.sparoa.api.DeviceKind;
import org.sparoa.api.Graph;
import org.sparoa.api.InvalidInputException;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;
import org.sparoa.api.UnsupportedOperatorException;

/** The backend service: identity, capability checks, compile errors and asynchronous execution. */
class SparseCpuBackendTest {
    private final SparseCpuBackend backend = new SparseCpuBackend(2, 0.2);

    @AfterEach
    void stop() {
        backend.close();
    }

    @Test
    void describesItself() {
        assertEquals("sparse-cpu", backend.id());
        assertEquals(DeviceKind.CPU, backend.kind());
        assertTrue(backend.supportedOperators().containsAll(List.of("Conv", "MatMul", "Gemm", "Resize")));
        assertTrue(backend.state().available());
    }

    @Test
    void compileNamesEveryMissingOperator() {
        Graph g = graph(List.of(
                new Node("a", "Relu", "", List.of("x"), List.of("r"), Map.of()),
                new Node("b", "Erf", "", List.of("r"), List.of("e"), Map.of()),
                new Node("c", "Tanh", "", List.of("e"), List.of("y"), Map.of())));
        assertFalse(backend.supports(g.nodes().get(1), g));
        UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class,
                () -> backend.compile(segment(g)));
        assertTrue(e.getMessage().contains("Erf") && e.getMessage().contains("Tanh"), e.getMessage());
        assertFalse(e.getMessage().contains("Relu"), e.getMessage());
    }

    @Test
    void executesAsynchronouslyAndReportsMissingInputs() {
        Graph g = graph(List.of(new Node("a", "Relu", "", List.of("x"), List.of("y"), Map.of())));
        var compiled = backend.compile(segment(g));
        Map<String, Tensor> out = compiled.execute(Map.of("x",
                Tensor.ofFloats(new long[] {2, 2}, new float[] {-1, 2, -3, 4}))).join();
        assertEquals(List.of(0f, 2f, 0f, 4f), boxed(out.get("y").toFloatArray()));
        CompletionException e = assertThrows(CompletionException.class, () -> compiled.execute(Map.of()).join());
        assertInstanceOf(InvalidInputException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("'x'"), e.getCause().getMessage());
    }

    @Test
    void synchronousRunsFromManyThreadsUseTheTeamOneAtATimeAndMatchAsynchronousOnes() throws Exception {
        // a Softmax over 2 x 50_000 values: large enough that its loops split over the team
        int n = 50_000;
        Graph g = new Graph("g", List.of(new Node("s", "Softmax", "", List.of("x"), List.of("y"), Map.of())),
                List.of(new TensorInfo("x", DataType.FLOAT, new long[] {2, n})),
                List.of(new TensorInfo("y", DataType.FLOAT, new long[] {2, n})), Map.of(), Map.of(), Map.of("", 21L));
        var compiled = backend.compile(segment(g));
        float[] x = new float[2 * n];
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() * 4 - 2;
        }
        Map<String, Tensor> in = Map.of("x", Tensor.ofFloats(new long[] {2, n}, x));
        float[] expected = compiled.execute(in).join().get("y").toFloatArray();
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<float[]>> runs = new java.util.ArrayList<>();
            for (int i = 0; i < 16; i++) {
                runs.add(pool.submit(() -> compiled.run(in).get("y").toFloatArray()));
                runs.add(pool.submit(() -> compiled.execute(in).join().get("y").toFloatArray()));
            }
            for (var f : runs) {
                assertTrue(java.util.Arrays.equals(expected, f.get()), "same result from every thread");
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(0, backend.state().queueDepth(), "nothing left counted in flight");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> compiled.run(Map.of()));
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
    }

    private static List<Float> boxed(float[] v) {
        Float[] b = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = v[i];
        }
        return List.of(b);
    }

    private static Graph graph(List<Node> nodes) {
        String last = nodes.get(nodes.size() - 1).outputs().get(0);
        return new Graph("g", nodes, List.of(new TensorInfo("x", DataType.FLOAT, new long[] {2, 2})),
                List.of(new TensorInfo(last, DataType.FLOAT, new long[] {2, 2})), Map.of(), Map.of(), Map.of("", 21L));
    }

    private static Segment segment(Graph g) {
        Model model = new Model("m", null, "0", g, new byte[0]);
        return new Segment(0, model, g.nodes(), g.inputs(), g.outputs(), () -> {
            throw new UnsupportedOperationException("not needed");
        });
    }
}
