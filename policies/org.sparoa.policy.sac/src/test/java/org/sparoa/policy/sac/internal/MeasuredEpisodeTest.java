package org.sparoa.policy.sac.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.sparoa.api.BackendView;
import org.sparoa.api.CompletedRequest;
import org.sparoa.api.CostModel;
import org.sparoa.api.Model;
import org.sparoa.api.PlanDescription;
import org.sparoa.api.SegmentPlan;
import org.sparoa.api.SegmentTiming;
import org.sparoa.api.learn.Transition;

/**
 * A plan that ran for real, as the agent's experience: a six-operator chain whose cost model prices a at 1 ms per
 * operator and b at 2 ms, run as a 3 | 3 split over a and b.
 */
class MeasuredEpisodeTest {
    private static final CostModel COSTS = Views.costs((b, n) -> b.equals("a") ? 1.0 : 2.0, 0.25, 0.5);
    private static final List<BackendView> TWO = List.of(new Views.Fake("a"), new Views.Fake("b"));
    private static final Model CHAIN = Views.chain(6, "Conv");

    private static List<SegmentPlan> split(String first, String second) {
        return List.of(new SegmentPlan(0, first, List.of("op0", "op1", "op2"), List.of("x"), List.of("t2")),
                new SegmentPlan(1, second, List.of("op3", "op4", "op5"), List.of("t2"), List.of("y")));
    }

    private static CompletedRequest request(List<SegmentPlan> segments, double firstMillis, double secondMillis,
                                            double totalMillis) {
        long a = Math.round(firstMillis * 1e6);
        long b = Math.round(secondMillis * 1e6);
        return new CompletedRequest(CHAIN.id(), new PlanDescription(CHAIN.id(), "sac", null, segments),
                List.of(new SegmentTiming(0, segments.get(0).backendId(), 0, a),
                        new SegmentTiming(1, segments.get(1).backendId(), a, a + b)),
                Math.round(totalMillis * 1e6));
    }

    @Test
    void segmentTimesAreRecencyWeightedMeansAndAnotherPlanStartsAfresh() {
        MeasuredPlan plan = new MeasuredPlan(0.5);
        assertTrue(plan.snapshot().isEmpty(), "nothing ran yet");
        plan.add(request(split("a", "b"), 4, 8, 13), 10);
        plan.add(request(split("a", "b"), 7, 5, 12.5), 10);
        MeasuredPlan.Snapshot s = plan.snapshot().orElseThrow();
        // weights 0.5 and 1: (0.5 * 4 + 7) / 1.5 and (0.5 * 8 + 5) / 1.5; outside (0.5 * 1 + 0.5) / 1.5
        assertArrayEquals(new double[] {6, 6}, s.segmentMillis(), 1e-9);
        assertEquals(2.0 / 3, s.outsideMillis(), 1e-9);
        assertEquals(12 + 2.0 / 3, s.totalMillis(), 1e-9);
        assertEquals(1.0 / 3, s.outsidePerSegmentMillis(), 1e-9);
        assertEquals(2, s.requests());
        assertEquals(10, s.expectedMillis(), 1e-9);

        plan.add(request(split("b", "a"), 9, 3, 12), 11);
        MeasuredPlan.Snapshot other = plan.snapshot().orElseThrow();
        assertEquals(split("b", "a"), other.segments());
        assertArrayEquals(new double[] {9, 3}, other.segmentMillis(), 1e-9);
        assertEquals(1, other.requests(), "the old plan's requests are not this plan's");
    }

    @Test
    void theEpisodeReplaysThePlanWithTheMeasuredTimesAsItsReturn() {
        MeasuredPlan plan = new MeasuredPlan(0.98);
        plan.add(request(split("a", "b"), 6, 9, 16), 10.25);
        CostEnvironment env = Views.environment(CHAIN, TWO, COSTS);
        MeasuredEpisode.Result r = MeasuredEpisode.of(env, plan.snapshot().orElseThrow()).orElseThrow();

        // estimated: a 0.5 + 3 x 1, then b 0.5 + 0.25 + 3 x 2
        assertEquals(10.25, r.estimatedMillis(), 1e-9);
        assertEquals(16, r.measuredMillis(), 1e-9);
        List<Transition> steps = r.transitions();
        assertEquals(6, steps.size());
        PlacementEpisode replay = new PlacementEpisode(env);
        double scale = replay.rewardScale();
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Transition t = steps.get(i);
            int slot = i < 3 ? 0 : 1;
            assertEquals(slot, t.action(), "operator " + i + " ran on " + (i < 3 ? "a" : "b"));
            assertArrayEquals(replay.state(), t.state(), "operator " + i + ": the state the agent sees there");
            assertArrayEquals(replay.mask(), t.mask());
            replay.step(slot);
            assertEquals(i == 5, t.done());
            if (i < 5) {
                assertArrayEquals(replay.state(), t.nextState(), "operator " + i + ": the next operator's state");
            }
            millis.add(-t.reward() * scale);
        }
        // segment a: 6 ms spread as 1.5 : 1 : 1 (its start carries the per-segment cost), plus half the 1 ms outside
        assertEquals(6 * 1.5 / 3.5 + 0.5, millis.get(0), 1e-9);
        assertEquals(6 * 1.0 / 3.5, millis.get(1), 1e-9);
        // segment b: 9 ms spread as 2.75 : 2 : 2, plus the other half
        assertEquals(9 * 2.75 / 6.75 + 0.5, millis.get(3), 1e-9);
        assertEquals(9 * 2.0 / 6.75, millis.get(5), 1e-9);
        assertEquals(16, millis.stream().mapToDouble(Double::doubleValue).sum(), 1e-9,
                "the episode's return is minus the measured request time");
    }

    @Test
    void aPlanThatDoesNotFitTheAgentsSlotsOrTheGraphIsNotReplayed() {
        CostEnvironment env = Views.environment(CHAIN, TWO, COSTS);
        MeasuredPlan elsewhere = new MeasuredPlan(0.98);
        elsewhere.add(request(split("a", "gpu"), 6, 9, 16), 10);
        assertFalse(MeasuredEpisode.of(env, elsewhere.snapshot().orElseThrow()).isPresent(),
                "a backend the agent's slots do not hold");

        MeasuredPlan partial = new MeasuredPlan(0.98);
        List<SegmentPlan> fiveOfSix = List.of(
                new SegmentPlan(0, "a", List.of("op0", "op1", "op2"), List.of("x"), List.of("t2")),
                new SegmentPlan(1, "b", List.of("op3", "op4"), List.of("t2"), List.of("y")));
        partial.add(request(fiveOfSix, 6, 9, 16), 10);
        assertFalse(MeasuredEpisode.of(env, partial.snapshot().orElseThrow()).isPresent(),
                "a plan of another version of the model");
    }
}
