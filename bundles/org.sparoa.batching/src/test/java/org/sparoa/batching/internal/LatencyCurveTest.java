package org.sparoa.batching.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparoa.batching.BatchMode;
import org.sparoa.batching.BatchSettings;

class LatencyCurveTest {

    @Test
    void aSizeInflatedByAnOutlierIsEstimatedAtMostTwiceAsSlowPerRowAsASmallerSize() {
        LatencyCurve c = new LatencyCurve();
        c.record(2, 2.0);
        c.record(3, 30.0); // the first run of 3 rows was preempted: 10 ms a row
        assertEquals(6.0, c.estimate(3), 1e-9); // bounded by 2 x (2 rows at 1 ms a row)
        // a size slower per row than a smaller one, but within the bound, keeps its measurement
        c.record(4, 7.0);
        assertEquals(7.0, c.estimate(4), 1e-9);
        // the bound follows a smaller size that becomes faster
        c.record(1, 0.25);
        assertEquals(1.0, c.estimate(2), 1e-9);
        assertEquals(1.5, c.estimate(3), 1e-9);
        assertEquals(2.0, c.estimate(4), 1e-9);
    }

    @Test
    void anInflatedSizeNoLongerCapsTheBatchAtTheSizeBelowIt() {
        // with 12 ms for 3 rows the objective (2 x 3 rows within 20 ms) would stop the batch at 2, and 3 rows would
        // never run again to correct it
        BatchSettings s = new BatchSettings(BatchMode.ADAPTIVE, 4, 2000, 20, 100, 1);
        LatencyCurve c = new LatencyCurve();
        for (int i = 0; i < BatchPolicy.EXPLORE; i++) {
            c.record(1, 1.5);
            c.record(2, 2.0);
        }
        for (int i = 0; i < BatchPolicy.EXPLORE; i++) {
            c.record(3, 12.0);
        }
        assertTrue(BatchPolicy.sizeCap(s, c, 4) >= 3, "cap " + BatchPolicy.sizeCap(s, c, 4));
    }

    @Test
    void unmeasuredSizesGrowNoLessThanLinearlyPastTheLargestMeasured() {
        LatencyCurve c = new LatencyCurve();
        assertTrue(Double.isNaN(c.estimate(4)));
        c.record(2, 3.0);
        assertEquals(6.0, c.estimate(4), 1e-9);
        assertEquals(1.5, c.estimate(1), 1e-9);
    }
}
