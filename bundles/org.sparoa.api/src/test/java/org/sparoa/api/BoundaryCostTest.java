package org.sparoa.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BoundaryCostTest {

    @Test
    void ownTimeIsTheMeasurementLessOneSegmentAndTheMovesOfItsTensors() {
        // 0.01 ms per segment, 1e-6 ms per byte in and out: 10,000 bytes moved cost 0.005 ms
        BoundaryCost b = new BoundaryCost(0.01, 1e-6);
        assertEquals(0.005, b.moveMillis(10_000), 1e-12);
        assertEquals(0.5 - 0.01 - 0.005, b.ownMillis(0.5, 10_000), 1e-12);
    }

    @Test
    void aMeasurementSmallerThanItsBoundaryKeepsATenthOfItself() {
        BoundaryCost b = new BoundaryCost(0.04, 0);
        assertEquals(0.01, b.ownMillis(0.05, 0), 1e-12, "0.05 - 0.04 = 0.01 is above a tenth");
        assertEquals(0.003, b.ownMillis(0.03, 0), 1e-12, "0.03 - 0.04 < 0: a tenth of 0.03 is kept");
        assertTrue(b.ownMillis(0.03, 0) > 0);
    }

    @Test
    void activationBytesCountInputsAndOutputsButNoWeightNorAnEmptyInput() {
        Node add = new Node("add", "Conv", "", java.util.List.of("x", "w", "", "x"), java.util.List.of("y"),
                java.util.Map.of());
        Graph g = new Graph("g", java.util.List.of(add),
                java.util.List.of(new TensorInfo("x", DataType.FLOAT, new long[] {1, 4})),
                java.util.List.of(new TensorInfo("y", DataType.FLOAT, new long[] {1, 4})),
                java.util.Map.of("w", Tensor.ofFloats(new long[] {4}, new float[4])), java.util.Map.of(),
                java.util.Map.of("", 13L));
        java.util.Map<String, Long> sizes = java.util.Map.of("x", 16L, "w", 1000L, "y", 7L);
        // x twice (it is read twice), y once; the weight and the empty (omitted optional) input not at all
        assertEquals(16 + 16 + 7, BoundaryCost.activationBytes(g, add, t -> sizes.getOrDefault(t, 0L)));
    }

    @Test
    void anUnknownBoundaryTakesNothingOut() {
        assertEquals(0.2, BoundaryCost.UNKNOWN.ownMillis(0.2, 1 << 20), 0);
    }

    @Test
    void negativeOrNaNCostsAreRefusedWithTheirValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BoundaryCost(-1, 0));
        assertTrue(e.getMessage().contains("-1.0 ms per segment"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BoundaryCost(0, Double.NaN));
    }
}
