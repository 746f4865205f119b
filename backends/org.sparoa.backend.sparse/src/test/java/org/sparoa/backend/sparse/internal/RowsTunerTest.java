package org.sparoa.backend.sparse.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.sparoa.api.Node;

/** The rows-per-task tuner: what it runs while warming and sampling, what it keeps, and that results never change. */
class RowsTunerTest {
    private static final WorkerTeam TEAM = new WorkerTeam(2, 100_000, null, "test");

    @AfterAll
    static void stop() {
        TEAM.close();
    }

    /** Drives the tuner as a kernel does, each value taking {@code cost[value]} nanoseconds. */
    private static int[] drive(RowsTuner tuner, int key, int[] candidates, long[] cost, int calls) {
        int[] used = new int[calls];
        for (int i = 0; i < calls; i++) {
            used[i] = tuner.choose(key, () -> candidates);
            tuner.record(key, used[i], cost[used[i]]);
        }
        return used;
    }

    @Test
    void warmsOnTheRuleThenSamplesEveryCandidateAndKeepsTheFastest() {
        RowsTuner tuner = new RowsTuner();
        int[] candidates = {2, 1, 3, 8};
        long[] cost = new long[9];
        cost[1] = 900;
        cost[2] = 1000;
        cost[3] = 1100;
        cost[8] = 700;
        int sampled = candidates.length * RowsTuner.SAMPLES;
        int[] used = drive(tuner, 7, candidates, cost, RowsTuner.WARM_CALLS + sampled + 3);
        for (int i = 0; i < RowsTuner.WARM_CALLS; i++) {
            assertEquals(2, used[i], "warm-up call " + i + " uses the rule's value");
        }
        int[] perValue = new int[9];
        for (int i = RowsTuner.WARM_CALLS; i < RowsTuner.WARM_CALLS + sampled; i++) {
            perValue[used[i]]++;
        }
        for (int c : candidates) {
            assertEquals(RowsTuner.SAMPLES, perValue[c], "samples of " + c);
        }
        assertEquals(8, tuner.chosen());
        assertEquals(8, used[used.length - 1]);
        assertEquals(8, new RowsTuner().choose(7, () -> candidates),
                "a later kernel of the shape starts on the kept value");
        assertEquals(2, new RowsTuner().choose(77, () -> candidates), "one of another shape warms on the rule's value");
    }

    @Test
    void aCallThatChoseBeforeTheTurnMovedOnIsNotCountedAndANewShapeStartsOver() {
        RowsTuner tuner = new RowsTuner();
        int[] candidates = {4, 2};
        long[] cost = {0, 0, 500, 0, 100};
        drive(tuner, 1, candidates, cost, RowsTuner.WARM_CALLS);
        int first = tuner.choose(1, () -> candidates);
        int second = tuner.choose(1, () -> candidates); // a second thread, same turn
        tuner.record(1, first, 1_000_000); // the turn's value, but slow: the one sample of it that counts
        tuner.record(1, second, 1); // same value reported again: now a turn of the other candidate, not counted
        drive(tuner, 1, candidates, cost, 2 * RowsTuner.SAMPLES - 2);
        assertEquals(0, tuner.chosen(), "one sample is still due: the stale report was not counted as one of 2's");
        drive(tuner, 1, candidates, cost, 1);
        assertEquals(4, tuner.chosen(), "the median ignores the one slow sample");
        assertEquals(4, tuner.choose(1, () -> candidates));
        assertEquals(6, tuner.choose(2, () -> new int[] {6, 4}), "a new shape warms on its rule's value again");
        assertEquals(0, tuner.chosen());
    }

    @Test
    void aConvolutionGivesTheSameBitsWhileItTunesAndAfter() {
        Random r = new Random(5);
        int c = 16;
        int m = 24;
        int h = 37;
        float[] x = Nodes.random(r, c * h * h, 0.3);
        float[] w = Nodes.random(r, m * c * 9, 0.8);
        Node node = Nodes.node("Conv", 2, "pads", new long[] {1, 1, 1, 1}, "kernel_shape", new long[] {3, 3});
        NdArray weights = NdArray.ofFloats(new int[] {m, c, 3, 3}, w);
        CsrConv2d conv = new CsrConv2d(node, weights, 0.6);
        NdArray[] in = {NdArray.ofFloats(new int[] {1, c, h, h}, x), weights};
        Parallel parallel = Nodes.onThisThread(TEAM);
        float[] first = conv.run(in, parallel)[0].floats;
        for (int i = 0; i < RowsTuner.WARM_CALLS + 12 * RowsTuner.SAMPLES; i++) {
            assertArrayEquals(first, conv.run(in, parallel)[0].floats, "run " + i);
        }
    }
}
