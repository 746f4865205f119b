package org.sparoa.batching.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparoa.batching.BatchMode;
import org.sparoa.batching.BatchSettings;

class BatchPolicyTest {
    private static final BatchSettings ADAPTIVE = new BatchSettings(BatchMode.ADAPTIVE, 16, 5000, 20, 100, 1);

    private static LatencyCurve curve(double fixedMillis, double perRowMillis) {
        LatencyCurve c = new LatencyCurve();
        for (int b : new int[] {1, 2, 4, 8, 16}) {
            c.record(b, fixedMillis + perRowMillis * b);
        }
        return c;
    }

    @Test
    void atLowLoadALoneRequestRunsAtOnce() {
        BatchDecision d = BatchPolicy.decide(ADAPTIVE, true, curve(2, 0.1), 0.01, 1, 0, 0);
        assertTrue(d.runNow(1, 0));
        assertEquals(1, d.rows());
    }

    @Test
    void aLoneRequestIsNeverKeptWaitingWhateverTheArrivalRate() {
        // a closed-loop client sends its next request as soon as the last is answered; its arrival rate, measured
        // against a mean service time inflated by outliers, may look high, but no company can come
        BatchDecision d = BatchPolicy.decide(ADAPTIVE, true, curve(2, 0.1), 10, 1, 0, 0);
        assertTrue(d.runNow(1, 0));
        assertEquals(1, d.rows());
    }

    @Test
    void theObjectiveCapsTheBatch() {
        // 2 x (2 + 0.5 b) <= 20 holds up to b = 16? no: b <= 16 gives 2 x 10 = 20 at b = 16
        assertEquals(16, BatchPolicy.sizeCap(ADAPTIVE, curve(2, 0.5), 16));
        // 2 x (2 + 1 b) <= 20: b <= 8, where rows per ms are highest
        assertEquals(8, BatchPolicy.sizeCap(ADAPTIVE, curve(2, 1), 16));
        // nothing measured: no batching yet
        assertEquals(1, BatchPolicy.sizeCap(ADAPTIVE, new LatencyCurve(), 16));
    }

    @Test
    void whereBatchingGainsNothingTheBatcherStaysAtOne() {
        LatencyCurve c = new LatencyCurve();
        for (int i = 0; i < BatchPolicy.EXPLORE; i++) {
            c.record(1, 2.0);
            c.record(2, 4.3); // as measured for the PP-OCR classifier on 2 cores: no gain per row
            c.record(3, 6.5);
            c.record(4, 9.0);
        }
        assertEquals(1, BatchPolicy.sizeCap(ADAPTIVE, c, 4));
    }

    @Test
    void whenEvenOneRequestBreaksTheObjectiveTheBatcherMaximisesThroughput() {
        LatencyCurve c = new LatencyCurve();
        c.record(1, 15); // 2 x 15 > 20
        assertEquals(16, BatchPolicy.sizeCap(ADAPTIVE, c, 16));
    }

    @Test
    void theNextUnmeasuredSizeIsTriedSoThatTheCurveCanLearnThatBatchingPays() {
        LatencyCurve c = new LatencyCurve();
        c.record(1, 6); // linear extrapolation: 2 x 6 x 2 = 24 > 20, but size 2 was never tried
        assertEquals(2, BatchPolicy.sizeCap(ADAPTIVE, c, 16));
        for (int i = 0; i < BatchPolicy.EXPLORE; i++) {
            c.record(2, 7); // measured: 2 x 7 = 14 fits; 3 is estimated from 2 at 10.5, 2 x 10.5 > 20: tried once
        }
        assertEquals(3, BatchPolicy.sizeCap(ADAPTIVE, c, 16));
        for (int i = 0; i < BatchPolicy.EXPLORE; i++) {
            c.record(3, 12); // measured too slow: 2 x 12 > 20
        }
        assertEquals(2, BatchPolicy.sizeCap(ADAPTIVE, c, 16));
    }

    @Test
    void whenArrivalsOutrunTheServiceItWaitsBoundedByTheDelayForABiggerBatch() {
        // two requests wait, two take 2.2 ms; 2 requests/ms arrive: waiting for more pays
        BatchDecision d = BatchPolicy.decide(ADAPTIVE, true, curve(2, 0.1), 2, 2, 0, 0);
        assertTrue(d.rows() > 2);
        assertTrue(!d.runNow(2, 0), "does not run the two at once");
        assertTrue(d.waitUntilNanos() > 0 && d.waitUntilNanos() <= 5_000_000, "waits at most maxDelay");
        assertTrue(d.runNow(d.rows(), 0), "runs as soon as the batch is there");
    }

    @Test
    void staticModeAlwaysAimsForTheMaximumAndNoneForOne() {
        BatchSettings st = ADAPTIVE.withMode(BatchMode.STATIC).withMaxBatch(8).withMaxDelayMicros(1000);
        BatchDecision s = BatchPolicy.decide(st, true, new LatencyCurve(), 0, 1, 100, 200);
        assertEquals(8, s.rows());
        assertEquals(100 + 1_000_000, s.waitUntilNanos());
        BatchDecision n = BatchPolicy.decide(ADAPTIVE.withMode(BatchMode.NONE), true, curve(1, 1), 5, 10, 0, 0);
        assertEquals(1, n.rows());
    }

    @Test
    void anOverloadedQueueRunsTheLargestSizeThatServesRowsNearlyAsFastAsTheBest() {
        // measured on a busy machine: 5 rows looked 3 % faster per row than 8, so the cap at normal load is 5
        LatencyCurve c = new LatencyCurve();
        for (int i = 0; i < BatchPolicy.EXPLORE; i++) {
            c.record(1, 1.34);
            c.record(2, 1.97);
            c.record(4, 2.92);
            c.record(5, 3.20);
            c.record(8, 5.27);
        }
        BatchSettings eight = new BatchSettings(BatchMode.ADAPTIVE, 8, 2000, 50, 512, 1);
        assertEquals(5, BatchPolicy.sizeCap(eight, c, 8));
        // 6 rows waiting: all six go (within 5 % of the best rate, more than the cap)
        assertEquals(6, BatchPolicy.decide(eight, true, c, 1, 6, 0, 0).rows());
        // 40 rows waiting: 8, the largest measured size within 5 % of the best rows per ms
        BatchDecision deep = BatchPolicy.decide(eight, true, c, 1, 40, 0, 0);
        assertEquals(8, deep.rows());
        assertTrue(deep.runNow(40, 0));
        // a size that serves rows clearly slower than the best is not taken, however deep the queue
        for (int i = 0; i < 10; i++) {
            c.record(8, 7.0);
        }
        assertEquals(5, BatchPolicy.decide(eight, true, c, 1, 40, 0, 0).rows());
    }

    @Test
    void theCurveInterpolatesAndExtrapolatesNoBetterThanLinear() {
        LatencyCurve c = new LatencyCurve();
        c.record(2, 4);
        c.record(6, 8);
        assertEquals(6, c.estimate(4), 1e-9);
        assertEquals(16, c.estimate(12), 1e-9);
        assertEquals(2, c.estimate(1), 1e-9);
        assertTrue(Double.isNaN(new LatencyCurve().estimate(3)));
    }

    @Test
    void theWaitPredictedForANewRequestDrainsTheRowsAheadAtTheBestMeasuredRateOfTheMode() {
        LatencyCurve c = curve(2, 0.5); // 1 row 2.5 ms (0.4 rows/ms), 8 rows 6 ms (1.33), 16 rows 10 ms (1.6)
        BatchSettings none = new BatchSettings(BatchMode.NONE, 16, 0, 50, 100, 1);
        BatchSettings static8 = new BatchSettings(BatchMode.STATIC, 8, 0, 50, 100, 1);
        // 9 rows ahead, then its own row: nine single calls and its own, or 9 rows at 8 rows per 6 ms and its own
        assertEquals(25.0, BatchPolicy.predictedMillis(none, true, c, 9, 1), 1e-9);
        assertEquals(9 * 6.0 / 8 + 2.5, BatchPolicy.predictedMillis(static8, true, c, 9, 1), 1e-9);
        // a model that cannot batch runs one row at a time whatever the mode
        assertEquals(25.0, BatchPolicy.predictedMillis(static8, false, c, 9, 1), 1e-9);
        // a lone request: its own batch
        assertEquals(2.5, BatchPolicy.predictedMillis(static8, true, c, 0, 1), 1e-9);
        // adaptive drains at the best rate within the objective's bound (16 rows per 10 ms here)
        assertEquals(15 * 10.0 / 16 + 2.5, BatchPolicy.predictedMillis(new BatchSettings(BatchMode.ADAPTIVE, 16, 0,
                50, 100, 1), true, c, 15, 1), 1e-9);
        // one inflated size does not slow the prediction to that size's rate: 8 rows now estimated at 16 ms (twice the
        // per-row time of 4 rows, the bound of an outlier), so 4 rows at 1 row per ms are the best rate up to 8
        for (int i = 0; i < 10; i++) {
            c.record(8, 40);
        }
        assertEquals(16.0, c.estimate(8), 1e-9);
        assertEquals(9 * 4.0 / 4 + 2.5, BatchPolicy.predictedMillis(static8, true, c, 9, 1), 1e-9);
        assertTrue(Double.isNaN(BatchPolicy.predictedMillis(none, true, new LatencyCurve(), 3, 1)));
    }

    @Test
    void aBackloggedAdaptiveQueueWaitsForItsCapAsLongAsTheDelayAndTheObjectiveAllow() {
        // 4 ms fixed + 0.25 ms a row: 8 rows (6 ms) serve rows fastest, by more than 5 % over 7
        LatencyCurve c = curve(4, 0.25);
        BatchSettings eight = new BatchSettings(BatchMode.ADAPTIVE, 8, 2000, 50, 512, 1);
        for (int i = 0; i < BatchPolicy.EXPLORE; i++) {
            for (int b = 2; b <= 8; b++) {
                c.record(b, 4 + 0.25 * b); // every size up to 8 explored
            }
        }
        long oldest = 1_000_000;
        // not backlogged: a lone request runs at once
        BatchDecision calm = BatchPolicy.decide(eight, true, c, 0.5, 1, oldest, oldest, false);
        assertTrue(calm.runNow(1, oldest));
        // backlogged: it waits for 8 rows, at most 2 ms (the delay) after the oldest arrived
        BatchDecision busy = BatchPolicy.decide(eight, true, c, 0.5, 1, oldest, oldest, true);
        assertEquals(8, busy.rows());
        assertEquals(oldest + 2_000_000, busy.waitUntilNanos());
        assertTrue(!busy.runNow(3, oldest + 1_999_999));
        assertTrue(busy.runNow(3, oldest + 2_000_000));
        // a tight objective shortens the wait: 10 ms / 2 - 6 ms for the batch leaves none
        BatchDecision tight = BatchPolicy.decide(eight.withSloMillis(10), true, c, 0.5, 1, oldest, oldest, true);
        assertTrue(tight.runNow(1, oldest));
    }
}
