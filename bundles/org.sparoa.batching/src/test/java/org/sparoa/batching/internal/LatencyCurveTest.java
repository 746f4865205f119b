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

    @Test
    void aSizeThatHasNotRunLatelyIsTriedAgain() {
        // 12 rows once looked slow (an outlier within the per-row bound), so 11 became the cap and 12 never ran again
        BatchSettings s = new BatchSettings(BatchMode.ADAPTIVE, 12, 2000, 50, 100, 1);
        LatencyCurve c = new LatencyCurve();
        for (int i = 0; i < BatchPolicy.EXPLORE; i++) {
            for (int b = 1; b <= 11; b++) {
                c.record(b, 4 + 0.25 * b); // each size serves rows more than 5 % faster than the one below
            }
            c.record(12, 14.0);
        }
        assertEquals(11, BatchPolicy.sizeCap(s, c, 12));
        assertTrue(!c.isStale(12));
        for (long i = 0; i <= LatencyCurve.STALE_AFTER; i++) {
            c.record(11, 6.75);
        }
        assertTrue(c.isStale(12));
        assertEquals(12, BatchPolicy.sizeCap(s, c, 12));
        // once tried (and found fast) it is fresh again and keeps its place on its measurement
        for (int i = 0; i < 10; i++) {
            c.record(12, 6.0);
        }
        assertTrue(!c.isStale(12));
        assertEquals(12, BatchPolicy.sizeCap(s, c, 12));
    }
}
