package org.sparoa.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.Test;

/** The demo's contest times every contender in every round and reports ratios of same-round medians. */
class DemoContestTest {
    /** Busy for {@code micros} of wall-clock time, as an inference would be. */
    private static Callable<Object> busy(long micros) {
        return () -> {
            long end = System.nanoTime() + micros * 1_000L;
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
            }
            return null;
        };
    }

    @Test
    void roundsInASpellThatSlowsOneContenderMuchAndTheOtherLittleAreLeftOutOfRatiosAndLatencies() throws Exception {
        // "ort" 300 us, 600 us in a spell; "java" 360 us, 400 us in a spell; the spell covers rounds 2-5 of 8
        java.util.concurrent.atomic.AtomicBoolean spell = new java.util.concurrent.atomic.AtomicBoolean();
        Map<String, Callable<?>> contenders = new LinkedHashMap<>();
        contenders.put("ort", () -> busy(spell.get() ? 600 : 300).call());
        contenders.put("java", () -> busy(spell.get() ? 400 : 360).call());
        DemoContest.Result result = DemoContest.run(contenders, 10, 8, r -> spell.set(r >= 2 && r <= 5));

        assertEquals(4, result.slowRounds(), "the four rounds of the spell");
        assertEquals(10, result.rounds(), "two rounds more, until three quarters of them were steady");
        double ratio = result.ratio("ort", "java");
        assertTrue(ratio > 0.72 && ratio < 0.95, "java is 1.2x slower at the usual speed: " + ratio);
        assertTrue(result.stats().get("ort").p50() < 0.45, "ort's p50 from the steady rounds, in ms: "
                + result.stats().get("ort").p50());
    }

    @Test
    void aContenderTwiceAsSlowHasARatioOfAboutOneHalfFromSameRoundMedians() throws Exception {
        Map<String, Callable<?>> contenders = new LinkedHashMap<>();
        contenders.put("fast", busy(300));
        contenders.put("slow", busy(600));
        DemoContest.Result result = DemoContest.run(contenders, 10, 4);

        assertEquals(4, result.roundMedians().get("fast").length, "a median per round");
        double ratio = result.ratio("fast", "slow");
        // 0.5 exactly without noise; a descheduled run lengthens either side, the medians keep it near
        assertTrue(ratio > 0.35 && ratio < 0.65, "fast/slow: " + ratio);
        assertTrue(result.ratio("slow", "fast") > 1.5, "the other way round: " + result.ratio("slow", "fast"));
        assertTrue(result.stats().get("slow").p50() > result.stats().get("fast").p50());
    }

    @Test
    void theRatioIsTheMedianOverRoundsOfSameRoundRatios() {
        // rounds 2 and 3 on a machine twice as slow: both sides slow down, the round ratios stay 2
        DemoContest.Result result = new DemoContest.Result(Map.of(), Map.of(
                "base", new double[] {2, 2, 4, 4, 2},
                "other", new double[] {1, 1, 2, 2, 1}), new boolean[] {true, true, true, true, true});
        assertEquals(2.0, result.ratio("base", "other"), 1e-12);
        assertEquals(0, result.slowRounds());
        // the same with rounds 2 and 3 marked slow: they are left out
        DemoContest.Result spell = new DemoContest.Result(Map.of(), Map.of(
                "base", new double[] {2, 2, 4, 8, 2},
                "other", new double[] {1, 1, 1, 1, 1}), new boolean[] {true, true, false, false, true});
        assertEquals(2.0, spell.ratio("base", "other"), 1e-12);
        assertEquals(2, spell.slowRounds());
        assertEquals(3.0, DemoContest.median(new double[] {5, 1, 3}), 1e-12);
        assertEquals(2.5, DemoContest.median(new double[] {4, 1, 3, 2}), 1e-12);
    }

    @Test
    void aContestWhosePlainRunsTookMuchLongerThanItsTwinsRanInASlowSpell() {
        // the demo of 2026-12-06: PP-OCR cls dense, plain ONNX Runtime 1.16 ms, while the pruned contest's took 0.52 ms
        assertTrue(DemoContest.ranInSlowSpell(1.16, 0.52));
        assertFalse(DemoContest.ranInSlowSpell(0.53, 0.52), "a few per cent apart: both at the machine's usual speed");
        assertFalse(DemoContest.ranInSlowSpell(0.52, 1.16), "the faster twin is the one to trust");
        assertFalse(DemoContest.ranInSlowSpell(5.3 * 1.29, 5.3), "within the spell threshold");
    }
}
