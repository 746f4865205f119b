package org.sparoa.backend.sparse.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Broadcasting element-wise ops split over threads give exactly the element-by-element result. */
class BroadcastBinaryTest {
    private static final WorkerTeam TEAM = new WorkerTeam(3, 100_000, null, "test");

    @AfterAll
    static void stop() {
        TEAM.close();
    }

    @ParameterizedTest(name = "{0} {1} x {2}")
    @CsvSource({
            "MUL, 2x24x40x41, 1x24x1x1",   // per-channel scale: many blocks
            "ADD, 2x24x40x41, 2x24x40x41", // same shapes: one block
            "SUB, 3x7x50x50, 7x1x50",      // broadcast in the middle
            "DIV, 1x6x90x70, 1",           // scalar
            "DIV, 1, 1x6x90x70",           // scalar on the left
            "SUB, 1x1x1, 2x9x40x50",
            "MUL, 1x12x1x1, 1x12x30x40",   // per-channel on the left
            "PRELU, 1x30x40x30, 30x1x1",
            "POW, 1x30x40x30, 1",         // one exponent for all (negative bases give NaN on both sides)
            "POW, 2x5x7, 5x1"
    })
    void matchesElementByElement(BroadcastBinary.Op op, String shapeA, String shapeB) {
        int[] sa = shape(shapeA);
        int[] sb = shape(shapeB);
        Random r = new Random(5);
        float[] a = Nodes.random(r, NdArray.size(sa), 0.1);
        float[] b = Nodes.random(r, NdArray.size(sb), 0);
        for (int i = 0; i < b.length; i++) {
            b[i] = b[i] == 0f ? 0.25f : b[i];
        }
        int[] out = new int[Math.max(sa.length, sb.length)];
        for (int i = 0; i < out.length; i++) {
            int da = i - (out.length - sa.length) >= 0 ? sa[i - (out.length - sa.length)] : 1;
            int db = i - (out.length - sb.length) >= 0 ? sb[i - (out.length - sb.length)] : 1;
            out[i] = Math.max(da, db);
        }
        float[] expected = new float[NdArray.size(out)];
        int[] pos = new int[out.length];
        for (int e = 0; e < expected.length; e++) {
            int rest = e;
            for (int ax = out.length - 1; ax >= 0; ax--) {
                pos[ax] = rest % out[ax];
                rest /= out[ax];
            }
            float x = a[index(pos, sa)];
            float y = b[index(pos, sb)];
            expected[e] = switch (op) {
                case ADD -> x + y;
                case SUB -> x - y;
                case MUL -> x * y;
                case DIV -> x / y;
                case PRELU -> x < 0 ? x * y : x;
                case POW -> (float) Math.pow(x, y);
            };
        }
        NdArray result = new BroadcastBinary(Nodes.node(op.name(), 2), op).run(
                new NdArray[] {NdArray.ofFloats(sa, a), NdArray.ofFloats(sb, b)}, Nodes.onThisThread(TEAM))[0];
        assertArrayEquals(out, result.shape);
        assertArrayEquals(expected, result.floats);
    }

    /** A layer normalisation's {@code Pow(x, 2)} takes the product path: the same bits as pow, NaN and infinities. */
    @org.junit.jupiter.api.Test
    void powOfTwoIsTheCorrectlyRoundedSquare() {
        float[] a = Nodes.random(new Random(9), 50_000, 0.1);
        a[0] = Float.NaN;
        a[1] = Float.POSITIVE_INFINITY;
        a[2] = -3e20f;
        a[3] = 1e-30f;
        NdArray result = new BroadcastBinary(Nodes.node("Pow", 2), BroadcastBinary.Op.POW).run(new NdArray[] {
                NdArray.ofFloats(new int[] {1, 50_000}, a), NdArray.ofFloats(new int[] {1}, new float[] {2f})},
                Nodes.onThisThread(TEAM))[0];
        for (int i = 0; i < a.length; i++) {
            assertEquals(Float.floatToIntBits((float) Math.pow(a[i], 2)), Float.floatToIntBits(result.floats[i]),
                    "pow(" + a[i] + ", 2)");
        }
    }

    private static int index(int[] pos, int[] shape) {
        int off = pos.length - shape.length;
        int idx = 0;
        for (int i = 0; i < shape.length; i++) {
            idx = idx * shape[i] + (shape[i] == 1 ? 0 : pos[i + off]);
        }
        return idx;
    }

    private static int[] shape(String s) {
        return java.util.Arrays.stream(s.split("x")).mapToInt(Integer::parseInt).toArray();
    }
}
