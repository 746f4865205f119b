package org.sparoa.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;

class NonFiniteTest {
    private static final float[] EXTREME_FINITE = {Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, -0f, 0f,
        Float.MIN_NORMAL, 1e-40f, -3.5f};

    @Test
    void findsEveryNonFiniteFloatAtEveryPositionOfOddAndEvenLengths() {
        for (int n : new int[] {1, 2, 7, 8, 33}) {
            for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                Float.intBitsToFloat(0x7fc00001), Float.intBitsToFloat(0xff800001)}) {
                for (int at = 0; at < n; at++) {
                    float[] v = new float[n];
                    for (int i = 0; i < n; i++) {
                        v[i] = EXTREME_FINITE[i % EXTREME_FINITE.length];
                    }
                    v[at] = bad;
                    if (at + 1 < n) {
                        v[n - 1] = Float.NaN; // a later one does not hide the first
                    }
                    Tensor t = Tensor.ofFloats(new long[] {n}, v);
                    assertEquals(at, NonFinite.firstIndex(t), "n=" + n + " at=" + at + " value " + bad);
                    assertEquals(Float.isNaN(bad) ? "NaN" : "Inf", NonFinite.kind(t, at));
                }
            }
        }
    }

    @Test
    void extremeButFiniteValuesPass() {
        assertEquals(-1, NonFinite.firstIndex(Tensor.ofFloats(new long[] {EXTREME_FINITE.length}, EXTREME_FINITE)));
        assertEquals(-1, NonFinite.firstIndex(Tensor.ofFloats(new long[] {0}, new float[0])));
    }

    @Test
    void doublesAreCheckedAndIntegersNever() {
        ByteBuffer d = ByteBuffer.allocate(5 * 8).order(ByteOrder.LITTLE_ENDIAN);
        d.putDouble(Double.MAX_VALUE).putDouble(-0.0).putDouble(1).putDouble(Double.NEGATIVE_INFINITY).putDouble(2);
        Tensor doubles = Tensor.of(DataType.DOUBLE, new long[] {5}, d.flip());
        assertEquals(3, NonFinite.firstIndex(doubles));
        assertEquals("Inf", NonFinite.kind(doubles, 3));
        // the bit pattern of a NaN float in an int tensor is just a number
        assertEquals(-1, NonFinite.firstIndex(Tensor.ofInts(new long[] {2}, new int[] {0x7fc00000, -1})));
    }

    @Test
    void findsTheFirstNonFiniteFloatAcrossChunksInHeapDirectAndOddlyPlacedBuffers() {
        int n = 4 * 1024 + 3; // several 4 KiB chunks and an odd tail
        for (int at : new int[] {0, 1, 1023, 1024, 1025, 2047, 2048, 3001, n - 2, n - 1}) {
            for (boolean direct : new boolean[] {false, true}) {
                for (int offset : new int[] {0, 4, 12}) { // a slice that starts off an 8-byte boundary
                    int bytes = offset + 4 * n;
                    ByteBuffer raw = (direct ? ByteBuffer.allocateDirect(bytes) : ByteBuffer.allocate(bytes))
                            .order(ByteOrder.LITTLE_ENDIAN);
                    for (int i = 0; i < n; i++) {
                        float v = i == at ? Float.NEGATIVE_INFINITY : i > at && i % 997 == 0 ? Float.NaN
                                : EXTREME_FINITE[i % EXTREME_FINITE.length];
                        raw.putFloat(offset + 4 * i, v);
                    }
                    ByteBuffer values = raw.position(offset).slice().order(ByteOrder.LITTLE_ENDIAN);
                    assertEquals(at, NonFinite.firstFloat(values),
                            "at=" + at + " direct=" + direct + " offset=" + offset);
                    raw.putFloat(offset + 4 * at, 1f);
                    long next = at + 1 + (996 - at % 997);
                    assertEquals(next < n ? next : -1, NonFinite.firstFloat(values.duplicate()),
                            "the next one after " + at + " once it is finite");
                }
            }
        }
        float[] clean = new float[100_000];
        java.util.Arrays.fill(clean, -Float.MAX_VALUE);
        assertEquals(-1, NonFinite.firstIndex(Tensor.ofFloats(new long[] {clean.length}, clean)));
    }
}
