package org.sparoa.predictor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SpreadTest {

    @Test
    void medianLeavesFailedRepeatsOut() {
        assertEquals(2.0, Spread.median(new double[] {3, 1, 2}));
        assertEquals(1.5, Spread.median(new double[] {2, Double.NaN, 1}));
        assertTrue(Double.isNaN(Spread.median(new double[] {Double.NaN})));
    }

    @Test
    void overlappingRangesAreATieSeparatedOnesAreNot() {
        // sparse 1.0-1.4, dense 1.3-1.5: the gap between the medians (0.2) is within the spread
        assertTrue(Spread.tie(new double[] {1.0, 1.2, 1.4}, new double[] {1.5, 1.3, 1.4}));
        // sparse 1.0-1.1, dense 1.3-1.5: every repeat says dense is slower
        assertFalse(Spread.tie(new double[] {1.0, 1.1, 1.05}, new double[] {1.5, 1.3, 1.4}));
    }

    @Test
    void withoutTwoValidRepeatsPerBackendNothingIsKnown() {
        assertNull(Spread.tie(new double[] {1.0}, new double[] {2.0}));
        assertNull(Spread.tie(new double[] {1.0, Double.NaN}, new double[] {2.0, 2.1}));
        assertNull(Spread.tie(null, new double[] {2.0, 2.1}));
    }
}
