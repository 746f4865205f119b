package org.sparoa.backend.sparse.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.sparoa.api.Attribute;
import org.sparoa.api.DataType;
import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;

/** BatchNormalization folded into a Conv and Relu/Clip applied by it give the unfused results, and only when safe. */
class ConvFusionTest {
    private static final long[] SHAPE = {1, 6, 9, 9};
    private final Random r = new Random(11);

    @Test
    void convBatchNormReluBecomesOneConvWithTheSameResult() {
        Map<String, Tensor> w = weights();
        List<Node> nodes = List.of(
                new Node("c", "Conv", "", List.of("x", "W", "B"), List.of("a"), pads()),
                new Node("bn", "BatchNormalization", "", List.of("a", "s", "beta", "mean", "var"), List.of("b"),
                        Map.of("epsilon", new Attribute("epsilon", Attribute.Kind.FLOAT, 1e-3f))),
                new Node("relu", "Relu", "", List.of("b"), List.of("y"), Map.of()));
        Graph g = graph(nodes, w, "y");
        Map<String, NdArray> constants = constants(w);
        List<ConvFusion.Planned> plan = ConvFusion.plan(nodes, g, constants, Set.of("y"));
        assertEquals(1, plan.size());
        assertEquals(0f, plan.get(0).clampMin());
        assertEquals(List.of("y"), plan.get(0).node().outputs());
        assertSameAsUnfused(g, w);
    }

    @Test
    void reluIsAppliedByPointwiseAndStridedConvolutionsToo() {
        // 1x1 (input planes read in place) and stride 2 (im2col): the two other vector paths of CsrConv2d
        for (Map<String, Attribute> attrs : List.of(Map.<String, Attribute>of(),
                Map.of("strides", new Attribute("strides", Attribute.Kind.INTS, new long[] {2, 2}),
                        "pads", new Attribute("pads", Attribute.Kind.INTS, new long[] {1, 1, 1, 1})))) {
            Map<String, Tensor> w = new HashMap<>(weights());
            boolean pointwise = attrs.isEmpty();
            w.put("W", Tensor.ofFloats(pointwise ? new long[] {6, 6, 1, 1} : new long[] {6, 6, 3, 3},
                    random(pointwise ? 36 : 324, 1f)));
            List<Node> nodes = List.of(
                    new Node("c", "Conv", "", List.of("x", "W", "B"), List.of("a"), attrs),
                    new Node("relu", "Relu", "", List.of("a"), List.of("y"), Map.of()));
            long[] outShape = pointwise ? SHAPE : new long[] {1, 6, 5, 5};
            Graph g = new Graph("g", nodes, List.of(new TensorInfo("x", DataType.FLOAT, SHAPE)),
                    List.of(new TensorInfo("y", DataType.FLOAT, outShape)), w, Map.of(), Map.of("", 21L));
            assertEquals(1, ConvFusion.plan(nodes, g, constants(w), Set.of("y")).size());
            for (float v : assertSameAsUnfused(g, w)) {
                assertTrue(v >= 0f, "relu applied: " + v);
            }
        }
    }

    @Test
    void residualAddAndReluRunInTheConvEvenWhenTheOtherOperandComesLater() {
        Map<String, Tensor> w = new HashMap<>(weights());
        w.put("W2", Tensor.ofFloats(new long[] {6, 6, 1, 1}, random(36, 1f)));
        List<Node> nodes = List.of(
                new Node("c", "Conv", "", List.of("x", "W", "B"), List.of("a"), pads()),
                new Node("c2", "Conv", "", List.of("x", "W2"), List.of("b"), Map.of()),
                new Node("add", "Add", "", List.of("b", "a"), List.of("s"), Map.of()),
                new Node("relu", "Relu", "", List.of("s"), List.of("y"), Map.of()));
        Graph g = graph(nodes, w, "y");
        List<ConvFusion.Planned> plan = ConvFusion.plan(nodes, g, constants(w), Set.of("y"));
        assertEquals(2, plan.size(), "the second Conv stays, the first absorbs Add and Relu");
        assertEquals("c2", plan.get(0).node().name(), "the fused Conv runs after its residual operand is computed");
        assertTrue(plan.get(1).addsResidual());
        assertEquals(List.of("x", "W", "B", "b"), plan.get(1).node().inputs());
        for (float v : assertSameAsUnfused(g, w)) {
            assertTrue(v >= 0f);
        }
    }

    @Test
    void aBroadcastResidualIsAddedCorrectly() {
        Map<String, Tensor> w = new HashMap<>(weights());
        List<Node> nodes = List.of(
                new Node("c", "Conv", "", List.of("x", "W", "B"), List.of("a"), pads()),
                new Node("pool", "GlobalAveragePool", "", List.of("x"), List.of("p"), Map.of()),
                new Node("add", "Add", "", List.of("a", "p"), List.of("y"), Map.of()));
        Graph g = graph(nodes, w, "y");
        assertTrue(ConvFusion.plan(nodes, g, constants(w), Set.of("y")).get(1).addsResidual());
        assertSameAsUnfused(g, w);
    }

    @Test
    void clipWithConstantBoundsIsFusedAndTheBoundsHold() {
        Map<String, Tensor> w = new HashMap<>(weights());
        w.put("lo", Tensor.ofFloats(new long[] {}, new float[] {-0.25f}));
        w.put("hi", Tensor.ofFloats(new long[] {}, new float[] {0.5f}));
        List<Node> nodes = List.of(
                new Node("c", "Conv", "", List.of("x", "W"), List.of("a"), pads()),
                new Node("clip", "Clip", "", List.of("a", "lo", "hi"), List.of("y"), Map.of()));
        Graph g = graph(nodes, w, "y");
        List<ConvFusion.Planned> plan = ConvFusion.plan(nodes, g, constants(w), Set.of("y"));
        assertEquals(1, plan.size());
        assertEquals(-0.25f, plan.get(0).clampMin());
        assertEquals(0.5f, plan.get(0).clampMax());
        float[] y = assertSameAsUnfused(g, w);
        boolean lowHit = false;
        for (float v : y) {
            assertTrue(v >= -0.25f && v <= 0.5f, "clamped: " + v);
            lowHit |= v == -0.25f;
        }
        assertTrue(lowHit, "the inputs reach the lower bound, so the clamp was exercised");
    }

    @Test
    void aConvOutputWithTwoConsumersOrThatLeavesTheSegmentIsNotFused() {
        Map<String, Tensor> w = weights();
        List<Node> nodes = List.of(
                new Node("c", "Conv", "", List.of("x", "W", "B"), List.of("a"), pads()),
                new Node("relu", "Relu", "", List.of("a"), List.of("b"), Map.of()),
                new Node("add", "Add", "", List.of("a", "b"), List.of("y"), Map.of()));
        Graph g = graph(nodes, w, "y");
        assertEquals(3, ConvFusion.plan(nodes, g, constants(w), Set.of("y")).size());
        List<Node> two = List.of(
                new Node("c", "Conv", "", List.of("x", "W", "B"), List.of("a"), pads()),
                new Node("relu", "Relu", "", List.of("a"), List.of("y"), Map.of()));
        assertEquals(2, ConvFusion.plan(two, graph(two, w, "y"), constants(w), Set.of("y", "a")).size());
        assertSameAsUnfused(g, w);
    }

    /** The segment's output against the same nodes run one by one with the plain kernels. */
    private float[] assertSameAsUnfused(Graph g, Map<String, Tensor> w) {
        float[] x = random(6 * 81, 1f);
        SparseCpuBackend backend = new SparseCpuBackend(2, 0.2);
        try {
            Segment seg = new Segment(0, new Model("m", null, "0", g, new byte[0]), g.nodes(), g.inputs(), g.outputs(),
                    () -> {
                        throw new UnsupportedOperationException("not needed");
                    });
            float[] fused = backend.compile(seg).execute(Map.of("x", Tensor.ofFloats(SHAPE, x))).join().get("y")
                    .toFloatArray();
            Map<String, NdArray> values = constants(w);
            values.put("x", NdArray.ofFloats(new int[] {1, 6, 9, 9}, x));
            KernelFactory factory = new KernelFactory(0.2);
            for (Node n : g.nodes()) {
                NdArray[] in = n.inputs().stream().map(values::get).toArray(NdArray[]::new);
                values.put(n.outputs().get(0), factory.create(n, g, constants(w)).run(in, Parallel.sequential())[0]);
            }
            float[] plain = values.get("y").floats;
            assertEquals(plain.length, fused.length);
            for (int i = 0; i < plain.length; i++) {
                assertEquals(plain[i], fused[i], 1e-4f * Math.max(1f, Math.abs(plain[i])), "element " + i);
            }
            return fused;
        } finally {
            backend.close();
        }
    }

    private Map<String, Tensor> weights() {
        Map<String, Tensor> w = new HashMap<>();
        float[] wv = random(6 * 6 * 9, 1f);
        for (int i = 0; i < wv.length; i += 3) {
            wv[i] = 0f; // some zeros: the folded weights must keep them
        }
        w.put("W", Tensor.ofFloats(new long[] {6, 6, 3, 3}, wv));
        w.put("B", Tensor.ofFloats(new long[] {6}, random(6, 1f)));
        w.put("s", Tensor.ofFloats(new long[] {6}, random(6, 2f)));
        w.put("beta", Tensor.ofFloats(new long[] {6}, random(6, 1f)));
        w.put("mean", Tensor.ofFloats(new long[] {6}, random(6, 1f)));
        float[] var = random(6, 1f);
        for (int i = 0; i < var.length; i++) {
            var[i] = Math.abs(var[i]) + 0.1f;
        }
        w.put("var", Tensor.ofFloats(new long[] {6}, var));
        return w;
    }

    private static Map<String, NdArray> constants(Map<String, Tensor> w) {
        Map<String, NdArray> c = new HashMap<>();
        w.forEach((k, v) -> c.put(k, NdArray.fromTensor(k, v)));
        return c;
    }

    private static Map<String, Attribute> pads() {
        return Map.of("pads", new Attribute("pads", Attribute.Kind.INTS, new long[] {1, 1, 1, 1}));
    }

    private static Graph graph(List<Node> nodes, Map<String, Tensor> w, String out) {
        return new Graph("g", new ArrayList<>(nodes), List.of(new TensorInfo("x", DataType.FLOAT, SHAPE)),
                List.of(new TensorInfo(out, DataType.FLOAT, SHAPE)), w, Map.of(), Map.of("", 21L));
    }

    private float[] random(int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (r.nextFloat() * 2 - 1) * scale;
        }
        return v;
    }
}
