package org.sparoa.backend.sparse.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/** Recycling of intermediate arrays: what comes back, when, and that reuse never changes a result. */
class FloatArrayPoolTest {
    @Test
    void givenArrayIsTakenAgainPoisonedUnderAssertions() {
        FloatArrayPool pool = new FloatArrayPool(1 << 20);
        float[] a = pool.take(100);
        pool.give(a);
        assertEquals(100, pool.retainedFloats());
        float[] b = pool.take(100);
        assertSame(a, b);
        assertEquals(0, pool.retainedFloats());
        assertTrue(Float.isNaN(b[0]) && Float.isNaN(b[99]), "tests run with -ea: taken arrays are filled with NaN");
        assertNotSame(a, pool.take(101), "arrays are kept per exact length");
    }

    @Test
    void keepsNoMoreThanItsLimit() {
        FloatArrayPool pool = new FloatArrayPool(150);
        pool.give(new float[100]);
        pool.give(new float[100]);
        assertEquals(100, pool.retainedFloats());
        FloatArrayPool.NONE.give(new float[10]);
        assertEquals(0, FloatArrayPool.NONE.retainedFloats());
    }

    @Test
    void makesRoomByDroppingTheLengthUsedLeastRecently() {
        FloatArrayPool pool = new FloatArrayPool(250);
        float[] oldModel = new float[100];
        float[] current = new float[120];
        pool.give(oldModel);
        pool.give(current);
        float[] again = pool.take(120);
        assertSame(current, again);
        float[] another = new float[120];
        pool.give(again);
        pool.give(another); // 100 + 120 + 120 > 250: the 100-float length, unused since, makes room

        assertEquals(240, pool.retainedFloats());
        assertNotSame(oldModel, pool.take(100), "the least recently used length was dropped");
        assertSame(another, pool.take(120));
        assertSame(current, pool.take(120));
    }

    @Test
    void findsEachOfHundredsOfLengthsAgain() {
        FloatArrayPool pool = new FloatArrayPool(1L << 30);
        List<float[]> given = new java.util.ArrayList<>();
        for (int i = 1; i <= 300; i++) {
            // lengths that differ only in high bits, as channel multiples of large feature maps do
            float[] a = new float[i % 2 == 0 ? i << 8 : i];
            given.add(a);
            pool.give(a);
        }
        for (float[] a : given) {
            assertSame(a, pool.take(a.length), "the array of length " + a.length + " comes back");
        }
        assertEquals(0, pool.retainedFloats());
        assertEquals(7, pool.take(7).length, "an empty pool allocates");
    }

    @Test
    void leaseReturnsOnlyItsOwnArraysWhenTheLastHolderIsDead() {
        FloatArrayPool pool = new FloatArrayPool(1 << 20);
        FloatArrayPool.Lease lease = new FloatArrayPool.Lease(pool);
        float[] own = lease.take(64);
        float[] foreign = new float[64];
        lease.hold(own);
        lease.hold(own); // a Reshape's output shares the array
        lease.hold(foreign);
        lease.release(foreign);
        assertEquals(0, pool.retainedFloats(), "an array the lease did not hand out never enters the pool");
        lease.release(own);
        assertEquals(0, pool.retainedFloats(), "one tensor still holds it");
        lease.release(own);
        assertEquals(64, pool.retainedFloats());
        lease.release(own);
        assertEquals(64, pool.retainedFloats(), "released once only");
    }

    @Test
    void segmentRunsGiveTheSameResultsWhileRecyclingTheirIntermediates() {
        SparseCpuBackend backend = new SparseCpuBackend(2, 0.2);
        try {
            Random r = new Random(5);
            Graph g = convChain(r);
            Model model = new Model("m", null, "0", g, new byte[0]);
            Segment seg = new Segment(0, model, g.nodes(), g.inputs(), g.outputs(), () -> {
                throw new UnsupportedOperationException("not needed");
            });
            CompiledSparseSegment compiled = (CompiledSparseSegment) backend.compile(seg);
            float[] xa = random(r, 8 * 20 * 20);
            float[] xb = random(r, 8 * 20 * 20);
            float[] ya = run(compiled, xa);
            float[] yb = run(compiled, xb);
            long retained = backend.floatArrays().retainedFloats();
            assertTrue(retained > 0, "dead intermediates went back to the pool");
            assertFalse(java.util.Arrays.equals(ya, yb));
            assertArrayEquals(ya, run(compiled, xa), "a run on recycled arrays equals the first");
            assertArrayEquals(yb, run(compiled, xb));
            for (float v : ya) {
                assertFalse(Float.isNaN(v), "no poisoned (unwritten) element reached the output");
            }
            Segment again = new Segment(1, model, g.nodes(), g.inputs(), g.outputs(), () -> {
                throw new UnsupportedOperationException("not needed");
            });
            CompiledSparseSegment second = (CompiledSparseSegment) backend.compile(again);
            assertArrayEquals(ya, run(second, xa));
            assertEquals(retained, backend.floatArrays().retainedFloats(),
                    "a second segment of the backend ran on the first one's arrays instead of arrays of its own");
        } finally {
            backend.close();
        }
    }

    private static float[] run(CompiledSparseSegment compiled, float[] x) {
        return compiled.execute(Map.of("x", Tensor.ofFloats(new long[] {1, 8, 20, 20}, x))).join().get("y")
                .toFloatArray();
    }

    /** x -> Conv 1x1 -> Relu -> Conv 3x3 (pad 1) -> Reshape (same array) -> Conv 1x1 (90 % zeros) -> y, all 8 channels. */
    private static Graph convChain(Random r) {
        Map<String, Tensor> w = Map.of(
                "w1", Tensor.ofFloats(new long[] {8, 8, 1, 1}, random(r, 64)),
                "w2", Tensor.ofFloats(new long[] {8, 8, 3, 3}, random(r, 576)),
                "w3", Tensor.ofFloats(new long[] {8, 8, 1, 1}, sparse(r, 64)),
                "shape", Tensor.ofLongs(new long[] {4}, new long[] {1, 8, 20, 20}));
        List<Node> nodes = List.of(
                new Node("c1", "Conv", "", List.of("x", "w1"), List.of("a"), Map.of()),
                new Node("r", "Relu", "", List.of("a"), List.of("b"), Map.of()),
                new Node("c2", "Conv", "", List.of("b", "w2"), List.of("c"), Map.of("pads", new org.sparoa.api.Attribute("pads", org.sparoa.api.Attribute.Kind.INTS, new long[] {1, 1, 1, 1}))),
                new Node("i", "Reshape", "", List.of("c", "shape"), List.of("d"), Map.of()),
                new Node("c3", "Conv", "", List.of("d", "w3"), List.of("y"), Map.of()));
        long[] shape = {1, 8, 20, 20};
        return new Graph("chain", nodes, List.of(new TensorInfo("x", DataType.FLOAT, shape)),
                List.of(new TensorInfo("y", DataType.FLOAT, shape)), w, Map.of(), Map.of("", 21L));
    }

    private static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat() * 2 - 1;
        }
        return v;
    }

    private static float[] sparse(Random r, int n) {
        float[] v = random(r, n);
        for (int i = 0; i < n; i++) {
            if (i % 10 != 0) {
                v[i] = 0;
            }
        }
        return v;
    }
}
