package org.sparoa.onnx.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MagnitudeSelectionTest {
    @Test
    void zeroesSmallestMagnitudesAcrossArraysCountingExistingZerosFirst() {
        float[] a = {0.5f, -0.1f, 0f};
        float[] empty = {};
        float[] b = {-0.05f, 2f, -0f, 0.3f};
        long changed = MagnitudeSelection.zeroSmallest(new float[][] {a, empty, b}, 4);
        // the two existing zeros, then -0.05 and -0.1
        assertEquals(2, changed);
        assertArrayEquals(new float[] {0.5f, 0f, 0f}, a);
        assertArrayEquals(new float[] {0f, 2f, -0f, 0.3f}, b);
        assertEquals(2, MagnitudeSelection.zeros(a));
    }

    @Test
    void tiesAreBrokenByPositionSoTheCountIsExact() {
        float[] w = {0.2f, -0.2f, 0.2f, 0.2f, 1f};
        MagnitudeSelection.zeroSmallest(new float[][] {w}, 2);
        assertArrayEquals(new float[] {0f, 0f, 0.2f, 0.2f, 1f}, w);
    }

    @Test
    void targetZeroChangesNothingAndTooManyIsRejected() {
        float[] w = {3f, -1f};
        assertEquals(0, MagnitudeSelection.zeroSmallest(new float[][] {w}, 0));
        assertArrayEquals(new float[] {3f, -1f}, w);
        assertThrows(IllegalArgumentException.class, () -> MagnitudeSelection.zeroSmallest(new float[][] {w}, 3));
    }
}
