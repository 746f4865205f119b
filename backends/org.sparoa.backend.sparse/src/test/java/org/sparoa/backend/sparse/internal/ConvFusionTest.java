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

/**
 * The compile-time rewrites around convolutions (BatchNormalization folded, a zero Pad absorbed, residual Add,
 * Relu/Clip/HardSwish applied by the Conv) give the unfused results, and happen only when safe.
 */
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
                new Node("add", "Add", "", List.of("b", "a"), List.of("sum"), Map.of()),
                new Node("relu", "Relu", "", List.of("sum"), List.of("y"), Map.of()));
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

    @Test
    void hardSwishWrittenAsFourOperatorsIsAppliedByTheConv() {
        Map<String, Tensor> w = new HashMap<>(weights());
        w.put("three", Tensor.ofFloats(new long[] {}, new float[] {3f}));
        w.put("zero", Tensor.ofFloats(new long[] {}, new float[] {0f}));
        w.put("six", Tensor.ofFloats(new long[] {}, new float[] {6f}));
        // Paddle's export: t = BN(Conv(x)); t * Clip(t + 3, 0, 6) / 6
        List<Node> nodes = List.of(
                new Node("c", "Conv", "", List.of("x", "W", "B"), List.of("a"), pads()),
                new Node("bn", "BatchNormalization", "", List.of("a", "s", "beta", "mean", "var"), List.of("t"), Map.of()),
                new Node("add", "Add", "", List.of("t", "three"), List.of("t3"), Map.of()),
                new Node("clip", "Clip", "", List.of("t3", "zero", "six"), List.of("c6"), Map.of()),
                new Node("mul", "Mul", "", List.of("t", "c6"), List.of("m"), Map.of()),
                new Node("div", "Div", "", List.of("m", "six"), List.of("y"), Map.of()));
        Graph g = graph(nodes, w, "y");
        List<ConvFusion.Planned> plan = ConvFusion.plan(nodes, g, constants(w), Set.of("y"));
        assertEquals(1, plan.size(), "Conv, BN and the four HardSwish operators become one Conv");
        assertTrue(plan.get(0).hardSwish());
        float[] y = assertSameAsUnfused(g, w);
        boolean negative = false;
        boolean linear = false;
        for (float v : y) {
            negative |= v < 0f;
            linear |= v > 3f;
        }
        assertTrue(negative && linear, "the outputs cover the curved and the linear part of HardSwish");
    }

    @Test
    void hardSwishDividedFirstAfterAnotherOperatorBecomesOneHardSwishNode() {
        Map<String, Tensor> w = new HashMap<>(weights());
        w.put("three", Tensor.ofFloats(new long[] {}, new float[] {3f}));
        w.put("sixth", Tensor.ofFloats(new long[] {}, new float[] {1f / 6f}));
        Map<String, Attribute> bounds = Map.of("min", new Attribute("min", Attribute.Kind.FLOAT, 0f),
                "max", new Attribute("max", Attribute.Kind.FLOAT, 6f));
        // x + x (not a Conv), then (Clip(t + 3) * 1/6) * t: the other operand orders
        List<Node> nodes = List.of(
                new Node("sum", "Add", "", List.of("x", "x"), List.of("t"), Map.of()),
                new Node("add", "Add", "", List.of("three", "t"), List.of("t3"), Map.of()),
                new Node("clip", "Clip", "", List.of("t3"), List.of("c6"), bounds),
                new Node("scale", "Mul", "", List.of("sixth", "c6"), List.of("d"), Map.of()),
                new Node("mul", "Mul", "", List.of("d", "t"), List.of("y"), Map.of()));
        Graph g = new Graph("g", new ArrayList<>(nodes), List.of(new TensorInfo("x", DataType.FLOAT, SHAPE)),
                List.of(new TensorInfo("y", DataType.FLOAT, SHAPE)), w, Map.of(), Map.of("", 10L));
        List<ConvFusion.Planned> plan = ConvFusion.plan(nodes, g, constants(w), Set.of("y"));
        assertEquals(List.of("Add", "HardSwish"), plan.stream().map(p -> p.node().opType()).toList());
        assertSameAsUnfused(g, w);
    }

    @Test
    void aHardSwishChainWhoseIntermediateIsReadElsewhereIsLeftAlone() {
        Map<String, Tensor> w = new HashMap<>(weights());
        w.put("three", Tensor.ofFloats(new long[] {}, new float[] {3f}));
        w.put("zero", Tensor.ofFloats(new long[] {}, new float[] {0f}));
        w.put("six", Tensor.ofFloats(new long[] {}, new float[] {6f}));
        List<Node> nodes = List.of(
                new Node("c", "Conv", "", List.of("x", "W", "B"), List.of("t"), pads()),
                new Node("add", "Add", "", List.of("t", "three"), List.of("t3"), Map.of()),
                new Node("clip", "Clip", "", List.of("t3", "zero", "six"), List.of("c6"), Map.of()),
                new Node("mul", "Mul", "", List.of("t", "c6"), List.of("m"), Map.of()),
                new Node("div", "Div", "", List.of("m", "six"), List.of("y"), Map.of()));
        Graph g = graph(nodes, w, "y");
        assertEquals(5, ConvFusion.plan(nodes, g, constants(w), Set.of("y", "c6")).size(),
                "the Clip's output leaves the segment, so the chain must stay as it is");
    }

    @Test
    void aZeroPadComputedFromConstantsBecomesTheConvsOwnPadding() {
        Map<String, Tensor> w = new HashMap<>(weights());
        // tf2onnx style: the pads are assembled at run time from constant pieces, and asymmetric
        w.put("parts", Tensor.ofLongs(new long[] {8}, new long[] {0, 0, 0, 0, 0, 0, 2, 2}));
        w.put("sizes", Tensor.ofLongs(new long[] {2}, new long[] {4, 4}));
        List<Node> nodes = List.of(
                new Node("split", "Split", "", List.of("parts", "sizes"), List.of("begin", "end"), Map.of()),
                new Node("cat", "Concat", "", List.of("begin", "end"), List.of("p"),
                        Map.of("axis", new Attribute("axis", Attribute.Kind.INT, 0L))),
                new Node("pad", "Pad", "", List.of("x", "p"), List.of("xp"), Map.of()),
                new Node("c", "Conv", "", List.of("xp", "W", "B"), List.of("y"), Map.of()));
        Graph g = graph(nodes, w, "y");
        Map<String, NdArray> constants = constants(w);
        List<Node> live = ConstantFolding.fold(nodes, g, constants, new KernelFactory(0.2));
        assertEquals(List.of("pad", "c"), live.stream().map(Node::name).toList(), "Split and Concat ran at compile time");
        assertTrue(java.util.Arrays.equals(new long[] {0, 0, 0, 0, 0, 0, 2, 2}, constants.get("p").asLongs()));
        List<ConvFusion.Planned> plan = ConvFusion.plan(live, g, constants, Set.of("y"));
        assertEquals(1, plan.size(), "the Pad is gone");
        assertTrue(java.util.Arrays.equals(new long[] {0, 0, 2, 2}, plan.get(0).node().attrLongs("pads", null)));
        assertSameAsUnfused(g, w);
    }

    @Test
    void aPadWithAValueOrOfTheChannelsIsNotFolded() {
        Map<String, Tensor> w = new HashMap<>(weights());
        w.put("p", Tensor.ofLongs(new long[] {8}, new long[] {0, 0, 1, 1, 0, 0, 1, 1}));
        w.put("one", Tensor.ofFloats(new long[] {}, new float[] {1f}));
        List<Node> withValue = List.of(
                new Node("pad", "Pad", "", List.of("x", "p", "one"), List.of("xp"), Map.of()),
                new Node("c", "Conv", "", List.of("xp", "W", "B"), List.of("y"), Map.of()));
        Graph g = graph(withValue, w, "y");
        assertEquals(2, ConvFusion.plan(withValue, g, constants(w), Set.of("y")).size());
        assertSameAsUnfused(g, w);
        w.put("p", Tensor.ofLongs(new long[] {8}, new long[] {0, 1, 1, 1, 0, 0, 1, 1}));
        List<Node> ofChannels = List.of(
                new Node("pad", "Pad", "", List.of("x", "p"), List.of("xp"), Map.of()),
                new Node("c", "Conv", "", List.of("xp", "W", "B"), List.of("y"), Map.of()));
        assertEquals(2, ConvFusion.plan(ofChannels, graph(ofChannels, w, "y"), constants(w), Set.of("y")).size(),
                "a Pad that adds channels is not the Conv's padding");
    }

    @Test
    void aDepthwiseConvReadOnlyByAOneByOneConvRunsInsideIt() {
        Map<String, Tensor> w = new HashMap<>(weights());
        w.put("Wd", Tensor.ofFloats(new long[] {6, 1, 3, 3}, random(54, 1f)));
        float[] pw = random(36, 1f);
        for (int i = 0; i < pw.length; i += 2) {
            pw[i] = 0f; // half zero: the CSR form
        }
        w.put("Wp", Tensor.ofFloats(new long[] {6, 6, 1, 1}, pw));
        w.put("zero", Tensor.ofFloats(new long[] {}, new float[] {0f}));
        w.put("six", Tensor.ofFloats(new long[] {}, new float[] {6f}));
        // MobileNetV2 / BlazeFace block: depthwise + BN + ReLU6, then 1x1 + residual + ReLU
        List<Node> nodes = List.of(
                new Node("dw", "Conv", "", List.of("x", "Wd"), List.of("d"),
                        Map.of("group", new Attribute("group", Attribute.Kind.INT, 6L), "pads", pads().get("pads"))),
                new Node("bn", "BatchNormalization", "", List.of("d", "s", "beta", "mean", "var"), List.of("e"), Map.of()),
                new Node("relu6", "Clip", "", List.of("e", "zero", "six"), List.of("f"), Map.of()),
                new Node("pw", "Conv", "", List.of("f", "Wp", "B"), List.of("p"), Map.of()),
                new Node("add", "Add", "", List.of("p", "x"), List.of("q"), Map.of()),
                new Node("relu", "Relu", "", List.of("q"), List.of("y"), Map.of()));
        Graph g = graph(nodes, w, "y");
        List<ConvFusion.Planned> plan = ConvFusion.plan(nodes, g, constants(w), Set.of("y"));
        assertEquals(1, plan.size(), "one kernel for the whole block");
        assertEquals(6f, plan.get(0).depthwise().clampMax(), "the depthwise part keeps its ReLU6");
        assertTrue(plan.get(0).addsResidual());
        assertEquals(List.of("x", "dw#bn-folded-W", "dw#bn-folded-B", "Wp", "B", "x"),
                plan.get(0).node().inputs());
        assertSameAsUnfused(g, w);
    }

    /**
     * PP-OCRv4's recogniser (PP-LCNetV3): every convolution is followed by a learnable affine block (Mul and Add by
     * one value, the constant first), HardSwish written out, and a second affine block. The first block folds into
     * the weights and bias (a per-channel shift too), the second becomes the epilogue's scale and shift: each
     * depthwise and 1x1 convolution is one kernel, and the result is the unfused one.
     */
    @Test
    void affineBlocksAroundHardSwishFoldIntoTheConvolutions() {
        Map<String, Tensor> w = new HashMap<>(weights());
        w.put("Wd", Tensor.ofFloats(new long[] {6, 1, 3, 3}, random(54, 1f)));
        w.put("Bd", Tensor.ofFloats(new long[] {6}, random(6, 1f)));
        float[] pw = random(36, 1f);
        for (int i = 0; i < pw.length; i += 2) {
            pw[i] = 0f;
        }
        w.put("Wp", Tensor.ofFloats(new long[] {6, 6, 1, 1}, pw));
        w.put("Bp", Tensor.ofFloats(new long[] {6}, random(6, 1f)));
        w.put("three", Tensor.ofFloats(new long[] {}, new float[] {3f}));
        w.put("zero", Tensor.ofFloats(new long[] {}, new float[] {0f}));
        w.put("six", Tensor.ofFloats(new long[] {}, new float[] {6f}));
        w.put("s1", Tensor.ofFloats(new long[] {1}, new float[] {1.3f}));
        w.put("b1", Tensor.ofFloats(new long[] {1, 6, 1, 1}, random(6, 0.5f)));
        w.put("s2", Tensor.ofFloats(new long[] {1}, new float[] {0.7f}));
        w.put("b2", Tensor.ofFloats(new long[] {1}, new float[] {-0.2f}));
        List<Node> nodes = new ArrayList<>();
        String in = "x";
        for (String c : List.of("dw", "pw")) {
            Map<String, Attribute> attrs = c.equals("dw")
                    ? Map.of("group", new Attribute("group", Attribute.Kind.INT, 6L), "pads", pads().get("pads"))
                    : Map.of();
            nodes.add(new Node(c, "Conv", "", List.of(in, c.equals("dw") ? "Wd" : "Wp", c.equals("dw") ? "Bd" : "Bp"),
                    List.of(c + "0"), attrs));
            nodes.add(new Node(c + "m1", "Mul", "", List.of("s1", c + "0"), List.of(c + "1"), Map.of()));
            nodes.add(new Node(c + "a1", "Add", "", List.of(c + "1", "b1"), List.of(c + "2"), Map.of()));
            nodes.add(new Node(c + "h3", "Add", "", List.of(c + "2", "three"), List.of(c + "3"), Map.of()));
            nodes.add(new Node(c + "hc", "Clip", "", List.of(c + "3", "zero", "six"), List.of(c + "4"), Map.of()));
            nodes.add(new Node(c + "hm", "Mul", "", List.of(c + "2", c + "4"), List.of(c + "5"), Map.of()));
            nodes.add(new Node(c + "hd", "Div", "", List.of(c + "5", "six"), List.of(c + "6"), Map.of()));
            nodes.add(new Node(c + "m2", "Mul", "", List.of("s2", c + "6"), List.of(c + "7"), Map.of()));
            String out = c.equals("pw") ? "y" : c + "8";
            nodes.add(new Node(c + "a2", "Add", "", List.of(c + "7", "b2"), List.of(out), Map.of()));
            in = out;
        }
        Graph g = graph(nodes, w, "y");
        List<ConvFusion.Planned> plan = ConvFusion.plan(nodes, g, constants(w), Set.of("y"));
        assertEquals(2, plan.size(), "18 operators become the two convolutions: " + plan);
        for (ConvFusion.Planned p : plan) {
            assertTrue(p.hardSwish(), p.node().name());
            assertEquals(0.7f, p.postScale());
            assertEquals(-0.2f, p.postShift());
            assertTrue(p.node().input(2).endsWith("#folded-B"), "the shift went into the bias: " + p.node().inputs());
        }
        assertSameAsUnfused(g, w);
    }

    /** A constant of shape [9] scales along the width, not the channels: it stays a Mul of its own. */
    @Test
    void aScaleAlongAnotherAxisIsNotFolded() {
        Map<String, Tensor> w = new HashMap<>(weights());
        w.put("cols", Tensor.ofFloats(new long[] {9}, random(9, 2f)));
        List<Node> nodes = List.of(
                new Node("c", "Conv", "", List.of("x", "W", "B"), List.of("a"), pads()),
                new Node("m", "Mul", "", List.of("a", "cols"), List.of("y"), Map.of()));
        Graph g = graph(nodes, w, "y");
        assertEquals(2, ConvFusion.plan(nodes, g, constants(w), Set.of("y")).size());
        assertSameAsUnfused(g, w);
    }

    @Test
    void aStridedDepthwiseConvWithDenseOneByOneWeightsAndHardSwishFusesToo() {
        Map<String, Tensor> w = new HashMap<>(weights());
        w.put("Wd", Tensor.ofFloats(new long[] {6, 1, 3, 3}, random(54, 1f)));
        w.put("Bd", Tensor.ofFloats(new long[] {6}, random(6, 1f)));
        w.put("Wp", Tensor.ofFloats(new long[] {4, 6, 1, 1}, random(24, 1f)));
        w.put("Bp", Tensor.ofFloats(new long[] {4}, random(4, 1f)));
        List<Node> nodes = List.of(
                new Node("dw", "Conv", "", List.of("x", "Wd", "Bd"), List.of("d"),
                        Map.of("group", new Attribute("group", Attribute.Kind.INT, 6L),
                                "strides", new Attribute("strides", Attribute.Kind.INTS, new long[] {2, 2}),
                                "pads", new Attribute("pads", Attribute.Kind.INTS, new long[] {0, 0, 1, 1}))),
                new Node("pw", "Conv", "", List.of("d", "Wp", "Bp"), List.of("p"), Map.of()),
                new Node("hs", "HardSwish", "", List.of("p"), List.of("y"), Map.of()));
        Graph g = new Graph("g", new ArrayList<>(nodes), List.of(new TensorInfo("x", DataType.FLOAT, SHAPE)),
                List.of(new TensorInfo("y", DataType.FLOAT, new long[] {1, 4, 5, 5})), w, Map.of(), Map.of("", 21L));
        List<ConvFusion.Planned> plan = ConvFusion.plan(nodes, g, constants(w), Set.of("y"));
        assertEquals(1, plan.size());
        assertTrue(plan.get(0).hardSwish() && plan.get(0).depthwise() != null);
        assertSameAsUnfused(g, w);
        // the depthwise output read by a second node: the two convolutions stay apart
        List<Node> shared = new ArrayList<>(nodes);
        shared.add(new Node("keep", "Relu", "", List.of("d"), List.of("z"), Map.of()));
        assertEquals(3, ConvFusion.plan(shared, g, constants(w), Set.of("y", "z")).size());
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
                NdArray[] out = factory.create(n, g, constants(w)).run(in, Parallel.sequential());
                for (int i = 0; i < out.length; i++) {
                    values.put(n.outputs().get(i), out[i]);
                }
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
