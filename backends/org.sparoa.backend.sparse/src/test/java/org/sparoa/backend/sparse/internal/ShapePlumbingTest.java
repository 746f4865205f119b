package org.sparoa.backend.sparse.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.sparoa.api.Attribute;
import org.sparoa.api.DataType;
import org.sparoa.api.Node;
import org.sparoa.api.Tensor;

/**
 * Shape, Slice, Split, Cast and the comparisons on cases worked out by hand (the ONNX node tests cover Shape, Slice
 * and Split too; none of them casts between FLOAT, INT64 and BOOL or compares).
 */
class ShapePlumbingTest {
    private static final Parallel SEQ = Parallel.sequential();

    @Test
    void shapeHonoursStartAndEnd() {
        NdArray x = NdArray.ofFloats(new int[] {2, 3, 4, 5}, new float[120]);
        assertArrayEquals(new long[] {2, 3, 4, 5}, new ShapeOf(Nodes.node("Shape", 1)).run(new NdArray[] {x}, SEQ)[0].longs);
        assertArrayEquals(new long[] {3, 4}, new ShapeOf(Nodes.node("Shape", 1, "start", 1L, "end", -1L))
                .run(new NdArray[] {x}, SEQ)[0].longs);
        assertArrayEquals(new long[] {}, new ShapeOf(Nodes.node("Shape", 1, "start", 9L))
                .run(new NdArray[] {x}, SEQ)[0].longs);
    }

    @Test
    void sliceClampsAndWalksBackwards() {
        // 3x4: [[0 1 2 3] [4 5 6 7] [8 9 10 11]]
        NdArray x = NdArray.ofFloats(new int[] {3, 4}, new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
        Slice slice = new Slice(Nodes.node("Slice", 5), 13);
        // rows 1.., columns from the last one backwards in steps of 2, the end clamped: [[7 5] [11 9]]
        NdArray y = slice.run(new NdArray[] {x, longs(1, -1), longs(Long.MAX_VALUE, Long.MIN_VALUE), longs(0, 1),
                longs(1, -2)}, SEQ)[0];
        assertArrayEquals(new int[] {2, 2}, y.shape);
        assertArrayEquals(new float[] {7, 5, 11, 9}, y.floats);
        // axes omitted, an empty range
        NdArray empty = slice.run(new NdArray[] {x, longs(2, 0), longs(1, 4), null, null}, SEQ)[0];
        assertArrayEquals(new int[] {0, 4}, empty.shape);
        NdArray ints = NdArray.ofLongs(new int[] {4}, new long[] {1, 3, 5, 7});
        assertArrayEquals(new long[] {1, 3}, slice.run(new NdArray[] {ints, longs(0), longs(-2), null, null}, SEQ)[0].longs);
        assertThrows(IllegalArgumentException.class,
                () -> slice.run(new NdArray[] {x, longs(0), longs(1), longs(0), longs(0)}, SEQ));
    }

    @Test
    void splitByPartsAndEvenly() {
        NdArray x = NdArray.ofFloats(new int[] {2, 5}, new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
        Node two = new Node("s", "Split", "", List.of("x", "parts"), List.of("a", "b"),
                Map.of("axis", new Attribute("axis", Attribute.Kind.INT, 1L)));
        NdArray[] out = new Split(two).run(new NdArray[] {x, longs(2, 3)}, SEQ);
        assertArrayEquals(new float[] {0, 1, 5, 6}, out[0].floats);
        assertArrayEquals(new float[] {2, 3, 4, 7, 8, 9}, out[1].floats);
        // no sizes: ceil(5 / 2) = 3, then the remaining 2
        NdArray[] even = new Split(two).run(new NdArray[] {x, null}, SEQ);
        assertArrayEquals(new int[] {2, 3}, even[0].shape);
        assertArrayEquals(new int[] {2, 2}, even[1].shape);
        assertThrows(IllegalArgumentException.class, () -> new Split(two).run(new NdArray[] {x, longs(1, 1)}, SEQ));
    }

    @Test
    void castBetweenFloatIntegersAndBool() {
        NdArray f = NdArray.ofFloats(new int[] {5}, new float[] {-2.7f, -0.5f, 0f, 0.25f, 3.9f});
        assertArrayEquals(new long[] {-2, 0, 0, 0, 3}, new Cast(cast(DataType.INT64)).run(new NdArray[] {f}, SEQ)[0].longs,
                "float to integer truncates toward zero");
        assertArrayEquals(new long[] {1, 1, 0, 1, 1}, new Cast(cast(DataType.BOOL)).run(new NdArray[] {f}, SEQ)[0].longs);
        NdArray big = NdArray.ofLongs(new int[] {2}, new long[] {1L << 32 | 5, -1});
        assertArrayEquals(new long[] {5, -1}, new Cast(cast(DataType.INT32)).run(new NdArray[] {big}, SEQ)[0].longs,
                "to INT32 keeps the low 32 bits");
        NdArray back = new Cast(cast(DataType.FLOAT)).run(new NdArray[] {big}, SEQ)[0];
        assertTrue(back.isFloat());
        assertEquals(-1f, back.floats[1]);
        assertThrows(IllegalArgumentException.class, () -> new Cast(cast(DataType.DOUBLE)));
    }

    @Test
    void comparisonsBroadcastAndBecomeBoolTensors() {
        NdArray a = NdArray.ofFloats(new int[] {2, 3}, new float[] {1, 2, 3, 4, Float.NaN, -0f});
        NdArray b = NdArray.ofFloats(new int[] {3}, new float[] {1, 5, 0f});
        assertArrayEquals(new long[] {1, 0, 0, 0, 0, 1}, run(Comparison.Op.EQUAL, a, b), "-0 equals 0, NaN equals nothing");
        assertArrayEquals(new long[] {0, 1, 0, 0, 0, 0}, run(Comparison.Op.LESS, a, b));
        assertArrayEquals(new long[] {1, 1, 0, 0, 0, 1}, run(Comparison.Op.LESS_OR_EQUAL, a, b));
        assertArrayEquals(new long[] {0, 0, 1, 1, 0, 0}, run(Comparison.Op.GREATER, a, b));
        assertArrayEquals(new long[] {1, 0, 1, 1, 0, 1}, run(Comparison.Op.GREATER_OR_EQUAL, a, b));
        Tensor t = NdArray.ofLongs(new int[] {2}, new long[] {1, 0}).toTensor(DataType.BOOL);
        assertEquals(DataType.BOOL, t.type());
        assertArrayEquals(new long[] {1, 0}, t.toLongArray());
    }

    private static long[] run(Comparison.Op op, NdArray a, NdArray b) {
        return new Comparison(Nodes.node("Cmp", 2), op).run(new NdArray[] {a, b}, SEQ)[0].longs;
    }

    private static Node cast(DataType to) {
        return Nodes.node("Cast", 1, "to", (long) to.onnxCode());
    }

    private static NdArray longs(long... v) {
        return NdArray.ofLongs(new int[] {v.length}, v);
    }
}
