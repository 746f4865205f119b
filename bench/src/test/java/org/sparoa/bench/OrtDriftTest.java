package org.sparoa.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.sparoa.api.Tensor;

/** The device check's comparison of outputs: differences on each output's scale, and mask flips counted apart. */
class OrtDriftTest {
    private static Map<String, Tensor> of(float[] offsets, float[] scores) {
        return Map.of("offsets", Tensor.ofFloats(new long[] {offsets.length}, offsets),
                "scores", Tensor.ofFloats(new long[] {scores.length}, scores));
    }

    private static float[] zeros(int n) {
        return new float[n];
    }

    @Test
    void aPeakKeptOnOneSideAndDroppedOnTheOtherIsAFlipNotADifference() {
        float[] offsets = {137f, -2.1602f, 5f};
        float[] scores = zeros(2000);
        scores[7] = 0.0442f;
        float[] gotOffsets = {137f, -2.1763f, 5f};
        OrtDrift.Comparison c = OrtDrift.compare(of(offsets, scores), of(gotOffsets, zeros(2000)), 1e-3);
        assertEquals(0.0442, c.maxAbs(), 1e-6);
        assertEquals(1, c.flips());
        assertEquals(2003, c.elements());
        // 0.0161 on an output whose largest value is 137
        assertEquals(0.0161 / 137, c.agreeingMaxRel(), 1e-6);
        OrtDrift.Comparison none = new OrtDrift.Comparison(0, 0, 0, 2003);
        assertTrue(c.withinAllowingFlips(1e-3, none), "one flip in 2003 elements, the rest within 1e-3 of scale");
        assertFalse(c.withinAllowingFlips(1e-4, none), "but not when the offsets must agree within 1e-4 of scale");
    }

    @Test
    void moreFlipsThanOnePerThousandPassOnlyWhereOnnxRuntimeFlipsAsManyAgainstItself() {
        float[] scores = zeros(1000);
        float[] got = zeros(1000);
        for (int i = 0; i < 5; i++) {
            scores[i] = 0.5f;
        }
        OrtDrift.Comparison c = OrtDrift.compare(Map.of("s", Tensor.ofFloats(new long[] {1000}, scores)),
                Map.of("s", Tensor.ofFloats(new long[] {1000}, got)), 1e-3);
        assertEquals(5, c.flips());
        assertFalse(c.withinAllowingFlips(1e-3, new OrtDrift.Comparison(0, 0, 1, 1000)));
        assertTrue(c.withinAllowingFlips(1e-3, new OrtDrift.Comparison(0.5, 0, 6, 1000)));
    }

    @Test
    void aSmallValueAgainstZeroIsADifferenceNotAFlip() {
        OrtDrift.Comparison c = OrtDrift.compare(Map.of("s", Tensor.ofFloats(new long[] {2}, new float[] {0f, 1f})),
                Map.of("s", Tensor.ofFloats(new long[] {2}, new float[] {1e-5f, 1f})), 1e-3);
        assertEquals(0, c.flips());
        assertEquals(1e-5, c.agreeingMaxRel(), 1e-9);
    }
}
