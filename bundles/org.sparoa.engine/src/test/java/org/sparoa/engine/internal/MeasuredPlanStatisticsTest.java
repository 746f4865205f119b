package org.sparoa.engine.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** When {@link MeasuredPlanChoice} stops measuring: the statistics, on run times made up with known noise. */
class MeasuredPlanStatisticsTest {
    @Test
    void plansWithinTheirNoiseOfEachOtherAreMeasuredLongerAndClearDifferencesAreNot() {
        java.util.Random r = new java.util.Random(5);
        // medians 10.0 and 10.2 ms, each run +-1 ms of noise: five rounds cannot tell them apart
        List<List<Long>> close = List.of(noisy(r, 5, 10.0, 1.0), noisy(r, 5, 10.2, 1.0));
        assertFalse(MeasuredPlanChoice.clearlyDecided(close, new boolean[2]));
        // the same 2 % apart with +-0.1 ms of noise over 60 rounds: clear
        List<List<Long>> tight = List.of(noisy(r, 60, 10.0, 0.1), noisy(r, 60, 10.2, 0.1));
        assertTrue(MeasuredPlanChoice.clearlyDecided(tight, new boolean[2]));
        // more than 10 % apart round for round: clear at once, however few the rounds
        List<List<Long>> far = List.of(noisy(r, 5, 10.0, 1.0), noisy(r, 5, 12.5, 1.0));
        assertTrue(MeasuredPlanChoice.clearlyDecided(far, new boolean[2]));
        // a failed plan's (quick) timings do not count: the two that ran are close
        List<List<Long>> withFailed = List.of(noisy(r, 5, 10.0, 1.0), noisy(r, 5, 1.0, 0.1), noisy(r, 5, 10.1, 1.0));
        assertFalse(MeasuredPlanChoice.clearlyDecided(withFailed, new boolean[] {false, true, false}));
        assertEquals(2.5, MeasuredPlanChoice.median(List.of(4L, 1L, 3L, 2L)));
    }

    @Test
    void plansFarSlowerThanTheFastestAreNoLongerTimed() {
        // medians 10, 14 and 16 ms: 16 > 1.5 x 10, 14 is not; a failed plan's quick runs set no pace
        List<List<Long>> t = List.of(List.of(10_000_000L, 9_000_000L, 11_000_000L), List.of(14_000_000L),
                List.of(16_000_000L, 15_500_000L, 30_000_000L), List.of(1_000_000L));
        boolean[] outrun = new boolean[4];
        MeasuredPlanChoice.dropFarSlower(t, new boolean[] {false, false, false, true}, outrun);
        assertFalse(outrun[0]);
        assertFalse(outrun[1]);
        assertTrue(outrun[2]);
        assertFalse(outrun[3]);
    }

    /** A seed whose noise leaves the split of {@link #aSplitWithinTheNoiseOfASingleBackendGivesWayToIt} ahead. */
    private static final long SPLIT_SEED = 12;

    @Test
    void aSplitWithinTheNoiseOfASingleBackendGivesWayToIt() {
        java.util.Random r = new java.util.Random(SPLIT_SEED);
        // the policy's plan: one backend, 14.0 ms; its 3-segment candidate 13.5 ms (3.6 % faster), +-2 ms of noise
        List<List<Long>> noisy = List.of(noisy(r, 24, 14.0, 2.0), noisy(r, 24, 13.5, 2.0));
        assertTrue(sameRoundMedianRatio(noisy.get(1), noisy.get(0)) < 1, "premise: the split measured faster");
        assertEquals(1, MeasuredPlanChoice.fastest(noisy, new boolean[2]));
        assertEquals(0, MeasuredPlanChoice.pick(noisy, new boolean[2], new int[] {1, 3}),
                "undecided: the plan with one segment");
        // the same 3.6 % measured tightly: the split has earned its place
        List<List<Long>> tight = List.of(noisy(r, 60, 14.0, 0.1), noisy(r, 60, 13.5, 0.1));
        assertEquals(1, MeasuredPlanChoice.pick(tight, new boolean[2], new int[] {1, 3}));
        // a split clearly faster (25 %) however noisy
        List<List<Long>> far = List.of(noisy(r, 5, 14.0, 3.0), noisy(r, 5, 10.5, 3.0));
        assertEquals(1, MeasuredPlanChoice.pick(far, new boolean[2], new int[] {1, 3}));
    }

    @Test
    void thePoliciesSplitGivesWayToASingleBackendItCannotBeToldFromAndAmongEqualsTheFasterStays() {
        java.util.Random r = new java.util.Random(13);
        // plan 0: the policy's 3-segment split; 1 and 2: single backends; all within +-2 ms of each other
        List<List<Long>> t = List.of(noisy(r, 20, 10.0, 2.0), noisy(r, 20, 10.3, 2.0), noisy(r, 20, 10.1, 2.0));
        int kept = MeasuredPlanChoice.pick(t, new boolean[3], new int[] {3, 1, 1});
        assertTrue(kept == 1 || kept == 2, "a single backend, not the split: " + kept);
        assertEquals(sameRoundMedianRatio(t.get(2), t.get(1)) < 1 ? 2 : 1, kept,
                "the faster of the two single backends, round for round");
        // the same split 2 % ahead of its alternatives and within MARGIN: the policy's plan is still kept where
        // nothing with fewer segments is as fast
        List<List<Long>> alone = List.of(noisy(r, 20, 10.0, 0.05), noisy(r, 20, 12.0, 0.05));
        assertEquals(0, MeasuredPlanChoice.pick(alone, new boolean[2], new int[] {3, 1}));
        // between splits the faster median stays, however close: 3 segments measured ahead of 2 within the noise
        List<List<Long>> splits = List.of(noisy(r, 20, 12.0, 2.0), noisy(r, 20, 10.0, 2.0), noisy(r, 20, 10.4, 2.0));
        assertEquals(1, MeasuredPlanChoice.pick(splits, new boolean[3], new int[] {5, 3, 2}));
        // a failed plan is never kept, whatever its segments
        List<List<Long>> failedOne = List.of(noisy(r, 20, 10.0, 2.0), noisy(r, 20, 1.0, 0.1));
        assertEquals(0, MeasuredPlanChoice.pick(failedOne, new boolean[] {false, true}, new int[] {3, 1}));
    }

    @Test
    void spellsOfASlowMachineCancelRoundForRoundWhereEachPlansOwnMedianWouldFlip() {
        // 21 rounds; the machine runs everything 2x slower for a spell that begins between the two visits of round
        // 10: plan 0 (one backend) takes 10 ms, plan 1 (a split) 10.6 ms in the same spell. Plan 0's visits are slow
        // in 11 rounds, plan 1's in 10, so plan 0's own median is a slow one (20 ms) and plan 1's a fast one (10.6 ms)
        List<Long> one = new java.util.ArrayList<>();
        List<Long> split = new java.util.ArrayList<>();
        for (int k = 0; k < 21; k++) {
            boolean slowForOne = k >= 10;
            boolean slowForSplit = k >= 11;
            one.add(Math.round((slowForOne ? 20.0 : 10.0) * 1e6));
            split.add(Math.round((slowForSplit ? 21.2 : 10.6) * 1e6));
        }
        List<List<Long>> t = List.of(one, split);
        assertTrue(MeasuredPlanChoice.median(split) < MeasuredPlanChoice.median(one),
                "the premise: by their own medians the split looks 1.9x faster");
        assertEquals(0, MeasuredPlanChoice.fastest(t, new boolean[2]));
        assertEquals(0, MeasuredPlanChoice.pick(t, new boolean[2], new int[] {1, 2}));
        assertEquals(1.06, MeasuredPlanChoice.ratio(t, 1, 0), 1e-3);
        assertTrue(MeasuredPlanChoice.apart(t, 0, 1), "6 % slower in 20 of 21 rounds");
        assertTrue(MeasuredPlanChoice.clearlyDecided(t, new boolean[2]));
        boolean[] outrun = new boolean[2];
        MeasuredPlanChoice.dropFarSlower(t, new boolean[2], outrun);
        assertFalse(outrun[0] || outrun[1], "neither is 1.5x slower round for round");
    }

    @Test
    void theFastestOfPlansWhoseRoundForRoundVerdictsGoInACircleDoesNotDependOnTheirOrder() {
        // three rounds; a beats b in two of them, b beats c in two, c beats a in two: the medians of the pairwise
        // ratios go in a circle, so "keep the winner of each comparison in turn" would pick whichever came last
        List<Long> a = millis(1.0, 2.0, 3.0);
        List<Long> b = millis(2.0, 3.0, 1.0);
        List<Long> c = millis(3.0, 1.0, 2.4);
        assertTrue(MeasuredPlanChoice.ratio(List.of(a, b), 0, 1) < 1 && MeasuredPlanChoice.ratio(List.of(b, c), 0, 1) < 1
                && MeasuredPlanChoice.ratio(List.of(c, a), 0, 1) < 1, "the premise: a circle");
        List<List<List<Long>>> orders = List.of(List.of(a, b, c), List.of(a, c, b), List.of(b, a, c), List.of(b, c, a),
                List.of(c, a, b), List.of(c, b, a));
        java.util.Set<List<Long>> chosen = new java.util.HashSet<>();
        for (List<List<Long>> order : orders) {
            chosen.add(order.get(MeasuredPlanChoice.fastest(order, new boolean[3])));
        }
        assertEquals(1, chosen.size(), "one plan whatever the order: " + chosen);
    }

    private static List<Long> millis(double... ms) {
        List<Long> out = new java.util.ArrayList<>();
        for (double m : ms) {
            out.add(Math.round(m * 1e6));
        }
        return out;
    }

    /** The median of {@code a[k] / b[k]} over the rounds both have, computed here on its own. */
    private static double sameRoundMedianRatio(List<Long> a, List<Long> b) {
        int n = Math.min(a.size(), b.size());
        double[] r = new double[n];
        for (int k = 0; k < n; k++) {
            r[k] = (double) a.get(k) / b.get(k);
        }
        java.util.Arrays.sort(r);
        return n % 2 == 1 ? r[n / 2] : (r[n / 2 - 1] + r[n / 2]) / 2;
    }

    /** {@code n} run times in nanoseconds around {@code ms}, uniform within {@code +-noiseMs}. */
    private static List<Long> noisy(java.util.Random r, int n, double ms, double noiseMs) {
        List<Long> t = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            t.add(Math.round((ms + (r.nextDouble() * 2 - 1) * noiseMs) * 1e6));
        }
        return t;
    }


    @Test
    void aVisitSettlesLongerWhileTheCompilersWorkAndNoLongerThanItsAllowance() {
        long settle = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(MeasuredPlanChoice.SETTLE_NANOS);
        long extra = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(MeasuredPlanChoice.MAX_EXTRA_SETTLE_NANOS);
        // a quiet compiler: no settling past the fixed time
        assertEquals(0, MeasuredPlanChoice.settle(MeasuredPlanStatisticsTest::oneMillisecondRun, Long.MAX_VALUE,
                () -> 7));
        // a compiler that finishes a task on every run until 30 ms past the fixed time, then is quiet: the visit
        // goes on at least until the compiler is quiet (every run before that point saw a task finish)
        long start = System.nanoTime();
        long busyUntil = start + MeasuredPlanChoice.SETTLE_NANOS + 30_000_000L;
        long[] compiled = {0};
        long past = MeasuredPlanChoice.settle(MeasuredPlanStatisticsTest::oneMillisecondRun, Long.MAX_VALUE,
                () -> System.nanoTime() < busyUntil ? ++compiled[0] : compiled[0]);
        long ended = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ended >= settle + 30, "ended after " + ended + " ms");
        assertTrue(past > 0 && past / 1_000_000 <= extra + SLACK_MILLIS, "settled " + past + " ns past the fixed time");
        // a compiler that never stops: bounded by the per-visit limit, and by what the choice has left
        long[] busy = {0};
        long capped = MeasuredPlanChoice.settle(MeasuredPlanStatisticsTest::oneMillisecondRun, Long.MAX_VALUE,
                () -> ++busy[0]);
        assertTrue(capped / 1_000_000 <= extra + SLACK_MILLIS, "settled " + capped + " ns past the fixed time");
        long left = MeasuredPlanChoice.settle(MeasuredPlanStatisticsTest::oneMillisecondRun, 20_000_000L,
                () -> ++busy[0]);
        assertTrue(left / 1_000_000 <= 20 + SLACK_MILLIS, "settled " + left + " ns past the fixed time with 20 ms left");
    }

    /** The last run may overshoot a limit by its own length, longer on a busy machine. */
    private static final long SLACK_MILLIS = 50;

    /** A run of about a millisecond, busy (not sleeping: a plan's run keeps its thread on a core). */
    private static void oneMillisecondRun() {
        long end = System.nanoTime() + 1_000_000L;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}
