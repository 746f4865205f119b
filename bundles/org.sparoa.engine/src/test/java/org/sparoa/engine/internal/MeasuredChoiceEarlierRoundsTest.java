package org.sparoa.engine.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.sparoa.api.Graph;
import org.sparoa.api.Model;

/**
 * The measured choice starts from the rounds the cost calibration timed just before on the same inputs: where those
 * rounds timed every plan it would time and already tell them apart, nothing is run again and only the plan kept is
 * built; where they miss a plan, or leave the two fastest within their noise, the plans are built and timed as before.
 */
class MeasuredChoiceEarlierRoundsTest {
    private static final Model MODEL = new Model("earlier", null, "", new Graph("earlier", List.of(), List.of(),
            List.of(), Map.of(), Map.of(), Map.of()), new byte[0]);
    private static final Map<String, String> ON_ORT = Map.of("a", "ort-cpu", "b", "ort-cpu");
    private static final Map<String, String> ON_JAVA = Map.of("a", "sparse-cpu", "b", "sparse-cpu");
    private static final Map<String, String> SPLIT = Map.of("a", "ort-cpu", "b", "sparse-cpu");
    private static final MeasuredPlanChoice.Schedule FIRST = new MeasuredPlanChoice.Schedule(5, 20, 0, 60_000);

    @Test
    void roundsThatTimedEveryPlanAndDecideAreNotTimedAgain() {
        ExecutionPlan proposed = plan();
        AtomicInteger built = new AtomicInteger();
        AtomicInteger runs = new AtomicInteger();
        EarlierRounds earlier = new EarlierRounds(Map.of(ON_ORT, visits(5, 5.0), ON_JAVA, visits(5, 10.0),
                SPLIT, visits(5, 7.0)));

        MeasuredPlanChoice.Choice kept = MeasuredPlanChoice.choose(proposed, ON_ORT, "greedy",
                List.of(candidate("sparse-cpu alone", ON_JAVA, 1, built)), FIRST, p -> runs.incrementAndGet(),
                earlier);

        assertSame(proposed, kept.plan(), "the proposed plan, 2x faster in every round");
        assertNull(kept.reason());
        assertTrue(kept.decided());
        assertEquals(0, runs.get(), "nothing run again");
        assertEquals(0, built.get(), "the alternative not even built");
    }

    @Test
    void anAlternativeTheRoundsFoundFasterIsBuiltAndKeptWithoutTiming() {
        ExecutionPlan proposed = plan();
        AtomicInteger built = new AtomicInteger();
        AtomicInteger runs = new AtomicInteger();
        EarlierRounds earlier = new EarlierRounds(Map.of(ON_ORT, visits(5, 5.0), ON_JAVA, visits(5, 10.0)));

        MeasuredPlanChoice.Choice kept = MeasuredPlanChoice.choose(proposed, ON_JAVA, "threshold",
                List.of(candidate("ort-cpu alone", ON_ORT, 1, built)), FIRST, p -> runs.incrementAndGet(), earlier);

        assertEquals(1, built.get(), "only the plan kept is built");
        assertTrue(kept.plan() != proposed);
        assertNotNull(kept.reason());
        assertTrue(kept.reason().startsWith("ort-cpu alone was measured faster"), kept.reason());
        assertEquals(0, runs.get());
    }

    @Test
    void roundsMissingAPlanOrTooFewOrTooCloseAreTimedFurther() {
        AtomicInteger built = new AtomicInteger();
        // a candidate the calibration did not time (a policy's three-segment plan): every plan is timed here
        List<Long> timedRounds = new ArrayList<>();
        ExecutionPlan proposed = plan();
        MeasuredPlanChoice.choose(proposed, ON_ORT, "greedy",
                List.of(candidate("sparse-cpu alone", ON_JAVA, 1, built),
                        candidate("greedy candidate 2", Map.of("a", "sparse-cpu", "b", "ort-cpu"), 2, built)),
                FIRST, p -> timedRounds.add(1L), new EarlierRounds(Map.of(ON_ORT, visits(5, 5.0), ON_JAVA,
                        visits(5, 10.0))));
        assertEquals(2, built.get(), "both alternatives built");
        assertTrue(timedRounds.size() >= 5 * 3,
                "at least the minimum rounds of three plans ran: " + timedRounds.size());

        // fewer rounds than the schedule's minimum: the plans are built and the rounds go on from the earlier ones
        AtomicInteger fewerRuns = new AtomicInteger();
        MeasuredPlanChoice.choose(plan(), ON_ORT, "greedy", List.of(candidate("sparse-cpu alone", ON_JAVA, 1, built)),
                FIRST, p -> fewerRuns.incrementAndGet(), new EarlierRounds(Map.of(ON_ORT, visits(2, 5.0), ON_JAVA,
                        visits(2, 10.0))));
        assertEquals(3, built.get());
        assertTrue(fewerRuns.get() > 0, "timed further");

        // two plans within their noise: not decided by the earlier rounds
        List<Long> close = new ArrayList<>();
        List<Long> closeOther = new ArrayList<>();
        double[] logRatio = {0.02, -0.02, 0.01, -0.01, 0.001}; // round by round, a few per cent either way
        for (int k = 0; k < 5; k++) {
            close.add(Math.round(5e6 * Math.exp(logRatio[k])));
            closeOther.add(5_000_000L);
        }
        assertTrue(!MeasuredPlanChoice.clearlyDecided(List.of(close, closeOther), new boolean[2]),
                "the premise: these rounds do not tell the two plans apart");
        AtomicInteger closeRuns = new AtomicInteger();
        MeasuredPlanChoice.choose(plan(), ON_ORT, "greedy", List.of(candidate("sparse-cpu alone", ON_JAVA, 1, built)),
                FIRST, p -> closeRuns.incrementAndGet(), new EarlierRounds(Map.of(ON_ORT, close, ON_JAVA,
                        closeOther)));
        assertEquals(4, built.get());
        assertTrue(closeRuns.get() > 0, "timed further");
    }

    @Test
    void aChoiceTheRoundsCouldNotDecideSaysSoAndIsMeasuredAgainSooner() {
        List<Long> close = new ArrayList<>();
        List<Long> other = new ArrayList<>();
        double[] logRatio = {0.02, -0.02, 0.01, -0.01, 0.001};
        for (int k = 0; k < 5; k++) {
            close.add(Math.round(5e6 * Math.exp(logRatio[k])));
            other.add(5_000_000L);
        }
        AtomicInteger built = new AtomicInteger();
        // the schedule's bound is the five rounds the calibration timed: nothing more is timed, and they do not decide
        MeasuredPlanChoice.Choice c = MeasuredPlanChoice.choose(plan(), ON_ORT, "greedy",
                List.of(candidate("sparse-cpu alone", ON_JAVA, 1, built)), new MeasuredPlanChoice.Schedule(5, 5, 0,
                        60_000), p -> null, new EarlierRounds(Map.of(ON_ORT, close, ON_JAVA, other)));
        assertTrue(!c.decided(), "two plans within a few per cent either way, round by round");

        assertEquals(PlanningPipeline.SOON_AFTER, PlanningPipeline.againAfter(1000, false));
        assertEquals(1000, PlanningPipeline.againAfter(1000, true), "a decided choice waits for the setting");
        assertEquals(40, PlanningPipeline.againAfter(40, false), "never later than the setting");
    }

    @Test
    void roundsBesideBusyJitCompilersDoNotDecideForGood() {
        assertTrue(MeasuredPlanChoice.jitBusy(530, 1_200_000_000L), "0.53 s of compiling in 1.2 s of rounds");
        assertTrue(!MeasuredPlanChoice.jitBusy(200, 1_200_000_000L), "a sixth of the rounds' time");
        assertTrue(!MeasuredPlanChoice.jitBusy(5, 1_000_000L), "no rounds timed: nothing to say");
        assertEquals(PlanningPipeline.SOON_AFTER, PlanningPipeline.againAfter(1000, false));
    }

    private static ExecutionPlan plan() {
        return new ExecutionPlan(MODEL, List.of(), Map.of(), Map.of(), "test", null);
    }

    private static MeasuredPlanChoice.Candidate candidate(String label, Map<String, String> placement, int segments,
                                                          AtomicInteger built) {
        return new MeasuredPlanChoice.Candidate(label, () -> {
            built.incrementAndGet();
            return plan();
        }, placement, segments);
    }

    /** {@code rounds} visits of {@code millis} each, a little apart so that rounds differ. */
    private static List<Long> visits(int rounds, double millis) {
        List<Long> out = new ArrayList<>();
        for (int k = 0; k < rounds; k++) {
            out.add(Math.round((millis + 0.01 * k) * 1e6));
        }
        return out;
    }
}
