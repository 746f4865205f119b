package org.sparoa.backend.sparse.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The vectorised Sigmoid against the definition in double precision, over whole vectors and their tails, and bit for
 * bit the same whichever path (vector or scalar tail) computes a value.
 */
class SigmoidTest {
    @ParameterizedTest(name = "{0} values")
    @ValueSource(ints = {1, 15, 16, 17, 100, 1031})
    void matchesTheDefinitionWithinFloatRounding(int length) {
        Random r = new Random(length);
        float[] x = new float[length];
        for (int i = 0; i < length; i++) {
            x[i] = (float) (r.nextGaussian() * 8);
        }
        // saturating and special values where they land in the vector part when there is one
        float[] special = {0f, -0f, 88.8f, -88.8f, 100f, -100f, 1e-8f, -1e-8f};
        for (int i = 0; i < Math.min(special.length, length); i++) {
            x[i] = special[i];
        }
        float[] y = new float[length];
        ElementwiseUnary.sigmoid(x, y, 0, length);
        for (int i = 0; i < length; i++) {
            double want = 1.0 / (1.0 + Math.exp(-(double) x[i]));
            assertEquals(want, y[i], 2e-7 + 4 * Math.ulp((float) want), "sigmoid(" + x[i] + ")");
            assertTrue(y[i] >= 0f && y[i] <= 1f, "in [0, 1]: " + y[i]);
        }
    }

    @ParameterizedTest(name = "from {0}")
    @ValueSource(ints = {0, 3, 16})
    void writesOnlyItsRangeAndKeepsNaN(int from) {
        float[] x = new float[64];
        x[from] = Float.NaN;
        float[] y = new float[64];
        java.util.Arrays.fill(y, -1f);
        ElementwiseUnary.sigmoid(x, y, from, 60);
        assertTrue(Float.isNaN(y[from]), "NaN in, NaN out");
        for (int i = 0; i < 64; i++) {
            if (i < from || i >= 60) {
                assertEquals(-1f, y[i], "outside the range: element " + i);
            } else if (i != from) {
                assertEquals(0.5f, y[i], 1e-7f);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void everyValueComesOutTheSameInAVectorAndInTheScalarTail() {
        Random r = new Random(7);
        float[] x = new float[4099];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * 20);
        }
        float[] whole = new float[x.length];
        ElementwiseUnary.sigmoid(x, whole, 0, x.length);
        // ranges that put every value at another place relative to the vector boundaries, down to scalar only
        for (int shift = 1; shift < 17; shift += 5) {
            float[] pieces = new float[x.length];
            for (int from = 0; from < x.length; from += 23 + shift) {
                ElementwiseUnary.sigmoid(x, pieces, from, Math.min(x.length, from + 23 + shift));
            }
            for (int i = 0; i < x.length; i++) {
                assertEquals(Float.floatToRawIntBits(whole[i]), Float.floatToRawIntBits(pieces[i]),
                        "sigmoid(" + x[i] + ") at " + i + ", pieces of " + (23 + shift));
                assertEquals(Float.floatToRawIntBits(whole[i]), Float.floatToRawIntBits(ElementwiseUnary.sigmoid(x[i])),
                        "scalar form at " + i);
            }
        }
        // and without the Vector API (a JVM without jdk.incubator.vector) the plain loop gives the same bits
        boolean was = Simd.setEnabled(false);
        try {
            float[] plain = new float[x.length];
            ElementwiseUnary.sigmoid(x, plain, 0, x.length);
            for (int i = 0; i < x.length; i++) {
                assertEquals(Float.floatToRawIntBits(whole[i]), Float.floatToRawIntBits(plain[i]), "plain loop at " + i);
            }
        } finally {
            Simd.setEnabled(was);
        }
    }
}
