package org.sparoa.backend.cuda.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.sparoa.api.Attribute;
import org.sparoa.api.Node;

/** The host-side pieces on their own: launch shapes, CSR packing, buffer planning, shape rules, resize tables. */
class HostLogicTest {

    @Test
    void linearLaunchCoversEveryElementAndCapsTheGrid() {
        LaunchConfig small = LaunchConfig.linear(1000);
        assertEquals(4, small.gridX());
        assertEquals(256, small.blockX());
        assertTrue(small.threads() >= 1000);
        LaunchConfig huge = LaunchConfig.linear(1L << 34);
        assertEquals(LaunchConfig.MAX_LINEAR_BLOCKS, huge.gridX(), "the grid-stride loop covers the rest");
        assertEquals(1, LaunchConfig.linear(0).gridX());
    }

    @Test
    void tiledLaunchHasOneBlockPerTileAndOneLayerPerBatch() {
        LaunchConfig c = LaunchConfig.tiled(33, 16, 3);
        assertEquals(1, c.gridX());
        assertEquals(3, c.gridY());
        assertEquals(3, c.gridZ());
        assertEquals(16 * 16, c.blockX() * c.blockY());
        assertThrows(IllegalArgumentException.class, () -> new LaunchConfig(1, 1, 1, 64, 32, 1, 0));
    }

    @Test
    void csrKeepsNonZerosRowByRow() {
        float[] dense = {0, 2, 0, 0, 0, 0, 3, 4, 5};
        CsrWeights c = CsrWeights.of(dense, 3, 3);
        assertArrayEquals(new int[] {0, 1, 1, 4}, c.rowPtr());
        assertArrayEquals(new int[] {1, 0, 1, 2}, c.colIdx());
        assertArrayEquals(new float[] {2, 3, 4, 5}, c.values());
        assertEquals(5.0 / 9, CsrWeights.sparsity(dense), 1e-12);
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, CsrWeights.transpose(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
    }

    @Test
    void bufferPlanReusesDeadBuffersButNeverOneAStepReads() {
        BufferPlanner p = new BufferPlanner();
        int in = p.value(400);
        int a = p.value(400);
        int b = p.value(100);
        int c = p.value(400);
        p.written(in, BufferPlanner.BEFORE_FIRST_STEP);
        p.read(in, 0);
        p.written(a, 0); // step 0: a = f(in)
        p.read(a, 1);
        p.written(b, 1); // step 1: b = g(a)
        p.read(b, 2);
        p.written(c, 2); // step 2: c = h(b)
        p.read(c, BufferPlanner.AFTER_LAST_STEP);
        BufferPlanner.Plan plan = p.plan();
        int[] s = plan.slotOfValue();
        assertNotEquals(s[in], s[a], "step 0 reads in while it writes a");
        assertNotEquals(s[a], s[b]);
        assertNotEquals(s[b], s[c]);
        assertEquals(s[in], s[b], "in is dead after step 0: b takes its buffer");
        assertEquals(s[a], s[c], "a is dead after step 1: c takes its buffer");
        assertEquals(2, plan.slotBytes().length);
        for (int v : new int[] {in, a, b, c}) {
            assertTrue(plan.slotBytes()[s[v]] >= new long[] {400, 400, 100, 400}[v]);
        }
    }

    @Test
    void aDedicatedValueKeepsItsBufferToItself() {
        BufferPlanner p = new BufferPlanner();
        int in = p.value(400);
        int a = p.value(400);
        int b = p.value(400);
        p.written(in, BufferPlanner.BEFORE_FIRST_STEP);
        p.read(in, 0);
        p.written(a, 0);
        p.read(a, 1);
        p.written(b, 1);
        p.read(b, BufferPlanner.AFTER_LAST_STEP);
        p.dedicate(in);
        p.dedicate(b);
        BufferPlanner.Plan plan = p.plan();
        int[] s = plan.slotOfValue();
        assertNotEquals(s[in], s[b], "without dedication b would take in's buffer (dead after step 0)");
        assertTrue(plan.dedicatedSlots()[s[in]] && plan.dedicatedSlots()[s[b]] && !plan.dedicatedSlots()[s[a]]);
    }

    @Test
    void reshapeSliceSqueezeFollowOnnx() {
        assertArrayEquals(new long[] {2, 12}, ShapeRules.reshape(new long[] {2, 3, 4}, new long[] {0, -1}, false));
        assertThrows(IllegalArgumentException.class, () -> ShapeRules.reshape(new long[] {2, 3}, new long[] {4, -1}, false));
        ShapeRules.SliceView v = ShapeRules.slice(new long[] {10, 8}, new long[] {-3, 7}, new long[] {Long.MAX_VALUE, 0},
                new long[] {0, 1}, new long[] {1, -2});
        assertArrayEquals(new long[] {3, 4}, v.shape());
        assertArrayEquals(new long[] {7, 7}, v.start());
        assertArrayEquals(new long[] {2, 4}, ShapeRules.squeeze(new long[] {1, 2, 1, 4}, null));
        assertArrayEquals(new long[] {1, 2, 1, 4}, ShapeRules.unsqueeze(new long[] {2, 4}, new long[] {0, -2}));
        assertArrayEquals(new long[] {3, 3, 2}, ShapeRules.splitSizes(8, null, 3));
        assertEquals(112, ShapeRules.windowOutput(224, 3, 2, 1, 1, 1, false));
        assertEquals(3, ShapeRules.windowOutput(6, 3, 2, 0, 0, 1, true), "ceil mode keeps the partial window");
    }

    @Test
    void samePaddingPutsTheOddPadAtTheEnd() {
        Node n = new Node("c", "Conv", "", List.of("x", "w"), List.of("y"),
                Map.of("auto_pad", new Attribute("auto_pad", Attribute.Kind.STRING, "SAME_UPPER"),
                        "strides", new Attribute("strides", Attribute.Kind.INTS, new long[] {2, 2})));
        Window w = Window.of(n, 8, 8, 3, 3, false);
        assertEquals(4, w.oh());
        assertEquals(0, w.padTop());
        assertEquals(1, w.padBottom());
    }

    @Test
    void resizeTablesFollowTheCoordinateModes() {
        ResizeTables.Axis nearest = ResizeTables.axis("nearest", "asymmetric", "floor", 2, 4, 2.0);
        assertArrayEquals(new int[] {0, 0, 0, 0, 1, 1, 1, 1}, nearest.idx());
        ResizeTables.Axis linear = ResizeTables.axis("linear", "half_pixel", "", 2, 4, 2.0);
        // source coordinates -0.25, 0.25, 0.75, 1.25 -> clamped to [0, 1]
        assertArrayEquals(new int[] {0, 1, 0, 1, 0, 1, 1, 1}, linear.idx());
        assertArrayEquals(new float[] {0, 0.25f, 0.75f, 0}, linear.weight(), 1e-6f);
        ResizeTables.Axis corners = ResizeTables.axis("linear", "align_corners", "", 3, 5, 5.0 / 3);
        assertArrayEquals(new float[] {0, 0.5f, 0, 0.5f, 0}, corners.weight(), 1e-6f);
    }

    @Test
    void broadcastStridesAreZeroOnBroadcastAxes() {
        long[] out = Broadcast.shape(new long[] {2, 1, 4}, new long[] {3, 1});
        assertArrayEquals(new long[] {2, 3, 4}, out);
        assertArrayEquals(new long[] {4, 0, 1}, Broadcast.stridesAlong(new long[] {2, 1, 4}, out));
        assertArrayEquals(new long[] {0, 1, 0}, Broadcast.stridesAlong(new long[] {3, 1}, out));
        assertThrows(IllegalArgumentException.class, () -> Broadcast.shape(new long[] {2}, new long[] {3}));
    }

    @Test
    void hostFoldingComputesShapeArithmetic() {
        Node shape = new Node("s", "Shape", "", List.of("x"), List.of("s"), Map.of());
        HostValue s = HostFolding.shapeOf(shape, new long[] {1, 64, 40, 40});
        Node slice = new Node("sl", "Slice", "", List.of("s", "b", "e"), List.of("h"), Map.of());
        HostValue hw = HostFolding.fold(slice, java.util.Arrays.asList(s, HostValue.longs(new long[] {1}, 2),
                HostValue.longs(new long[] {1}, 4)), 13)[0];
        assertArrayEquals(new long[] {40, 40}, hw.toLongs());
        Node mul = new Node("m", "Mul", "", List.of("h", "two"), List.of("o"), Map.of());
        HostValue doubled = HostFolding.fold(mul, List.of(hw, HostValue.longs(new long[] {}, 2)), 13)[0];
        assertArrayEquals(new long[] {80, 80}, doubled.toLongs());
        Node gather = new Node("g", "Gather", "", List.of("s", "i"), List.of("c"), Map.of());
        assertArrayEquals(new long[] {64}, HostFolding.fold(gather, List.of(s, HostValue.longs(new long[] {1}, 1)), 13)[0]
                .toLongs());
        Node div = new Node("d", "Div", "", List.of("a", "b"), List.of("q"), Map.of());
        assertArrayEquals(new long[] {-2}, HostFolding.fold(div, List.of(HostValue.longs(new long[] {1}, -7),
                HostValue.longs(new long[] {1}, 3)), 13)[0].toLongs(), "integer division truncates, as ONNX Runtime");
    }
}
