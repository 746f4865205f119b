package org.sparoa.policy.sac.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparoa.api.BackendView;
import org.sparoa.api.CompletedRequest;
import org.sparoa.api.CostModel;
import org.sparoa.api.Model;
import org.sparoa.api.PlanDescription;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SegmentPlan;
import org.sparoa.api.SegmentTiming;
import org.sparoa.api.learn.SoftActorCritics;
import org.sparoa.ml.Networks;

/**
 * Online fine-tuning on a model whose measured segment times contradict the cost model: the cost model says backend
 * a runs each operator in 1 ms (b in 1.5 ms), the "engine" reports a's segments four times slower than that. The
 * tuner sees it, and one round makes the agent put the model on b, saved as the next weights version.
 */
class OnlineTuningTest {
    private static final SoftActorCritics AGENTS = Networks.agentsOutsideOsgi(1);
    private static final CostModel COSTS = Views.costs((b, n) -> b.equals("a") ? 1.0 : 1.5, 0.3, 0.5);
    private static final List<BackendView> TWO = List.of(new Views.Fake("a"), new Views.Fake("b"));

    @TempDir
    Path dir;

    private static PlanDescription allOn(Model m, String backend, String policy) {
        List<String> names = m.graph().nodes().stream().map(n -> n.name()).toList();
        return new PlanDescription(m.id(), policy, null, List.of(new SegmentPlan(0, backend, names, List.of("x"),
                List.of("y"))));
    }

    /**
     * Saves, as version 1 under the test's directory, an agent trained on {@code context}'s own cost model (idle and
     * loaded scenarios, as a round trains): the tests start from an agent that knows the cost model, whatever the
     * shipped weights make of a six-operator toy outside their training.
     */
    private void trainedOn(SchedulingContext context) throws Exception {
        SacTrainer.Settings training = SacTrainer.Settings.of(200, 5, 600_000);
        SacTrainer.Result learned = new SacTrainer(training).train(AGENTS,
                CostEnvironment.of(context, Map.of()).scenarios(OfflineTraining.LOAD_FACTORS),
                (done, total, rec, stats) -> { }, () -> false);
        try (org.sparoa.api.learn.SoftActorCritic agent = learned.agent()) {
            new WeightsStore(dir).save(new SacWeights(training.agentSpec(), StateEncoder.SLOTS,
                    SacWeights.STATE_LAYOUT, Map.of("trained", "on the test's cost model"), agent.weights()));
        }
    }

    /** A request of the plan all on a whose one segment took {@code factor} times what the cost model expects. */
    private static CompletedRequest measured(Model m, String policy, double factor) {
        double expected = 0.5 + m.graph().nodes().size() * 1.0;
        long nanos = Math.round(expected * factor * 1e6);
        return new CompletedRequest(m.id(), allOn(m, "a", policy), List.of(new SegmentTiming(0, "a", 0, nanos)),
                nanos);
    }

    @Test
    void segmentsMeasuredSlowerThanExpectedMakeARoundThatMovesTheModelAndSavesANewVersion() throws Exception {
        Model m = Views.chain(6, "Conv");
        SchedulingContext context = new SchedulingContext(m, TWO, Map.of(), COSTS);
        trainedOn(context);
        SacPolicy policy = new SacPolicy(AGENTS, dir);
        try {
            Map<String, String> before = policy.place(context).backendByNode();
            assertTrue(before.values().stream().allMatch("a"::equals), "the cost model says a: " + before);

            List<OnlineTuning.Round> rounds = new ArrayList<>();
            OnlineTuning tuner = new OnlineTuning(policy, AGENTS,
                    new OnlineTuning.Settings(true, 20, 0.15, 300, 120_000, 1.0), rounds::add);
            try {
                for (int i = 0; i < 19; i++) {
                    assertTrue(tuner.record(measured(m, "sac", 4), context));
                }
                assertFalse(tuner.due(m.id()), "19 observations are not enough");
                assertTrue(tuner.record(measured(m, "sac", 4), context));
                assertTrue(tuner.due(m.id()));
                assertEquals(4.0, tuner.factors(m.id()).get("a"), 1e-9, "measured over expected on a");

                OnlineTuning.Round r = tuner.tune(m.id());
                assertEquals("saved", r.outcome(), OnlineTuning.describe(r));
                assertEquals(dir.resolve("sac-v0002.weights"), r.saved());
                assertTrue(Files.isRegularFile(r.saved()));
                assertTrue(r.afterMillis() < r.beforeMillis(), OnlineTuning.describe(r));
                assertFalse(tuner.due(m.id()), "the observations were used");

                Map<String, String> after = policy.place(context).backendByNode();
                CostModel asMeasured = new ScaledBackendCosts(COSTS, Map.of("a", 4.0));
                double was = org.sparoa.api.PlanCost.millis(m.graph(), before, asMeasured);
                double now = org.sparoa.api.PlanCost.millis(m.graph(), after, asMeasured);
                assertTrue(now < was * 0.8, "the next decision, with the saved version, is cheaper as measured: "
                        + was + " -> " + now + " ms, " + after);
                assertTrue(after.values().stream().filter("b"::equals).count() >= 4,
                        "most operators moved to b: " + after);
                assertTrue(policy.currentWeights().info().get("online").contains("round 1 on " + m.id()),
                        policy.currentWeights().info().toString());
            } finally {
                tuner.close();
            }
        } finally {
            policy.close();
        }
    }

    /**
     * A split the cost model likes (the first three operators cost 1 ms on a and 4 on b, the last three the other way
     * round: 6.7 ms against 15.3 on one backend) whose segments run as estimated, but whose requests take 30 ms more
     * outside them (the engine's work per segment, which the cost model does not see: 15 ms a segment): no backend's
     * ratio is off, the plan as a whole is. The round replays the plan with its measured time, corrects the per-segment
     * cost, and the next decision is one segment.
     */
    @Test
    void aPlanWhoseRequestsTakeLongerThanItsSegmentsMakesARoundThatReplaysItAndMovesAwayFromTheSplit()
            throws Exception {
        CostModel splitPays = Views.costs((b, n) -> {
            boolean early = Integer.parseInt(n.name().substring(2)) < 3;
            return b.equals("a") == early ? 1.0 : 4.0;
        }, 0.1, 0.3);
        Model m = Views.chain(6, "Conv");
        SchedulingContext context = new SchedulingContext(m, TWO, Map.of(), splitPays);
        trainedOn(context);
        SacPolicy policy = new SacPolicy(AGENTS, dir);
        try {
            Map<String, String> before = policy.place(context).backendByNode();
            assertEquals(2, new java.util.HashSet<>(before.values()).size(), "the agent splits: " + before);
            List<SegmentPlan> split = List.of(
                    new SegmentPlan(0, "a", List.of("op0", "op1", "op2"), List.of("x"), List.of("t2")),
                    new SegmentPlan(1, "b", List.of("op3", "op4", "op5"), List.of("t2"), List.of("y")));
            // each segment as the cost model expects it (0.3 + 3 x 1, and 0.1 + 0.3 + 3 x 1), 30 ms outside them
            long first = 3_300_000;
            long second = 3_400_000;
            CompletedRequest run = new CompletedRequest(m.id(), new PlanDescription(m.id(), "sac", null, split),
                    List.of(new SegmentTiming(0, "a", 0, first), new SegmentTiming(1, "b", first, first + second)),
                    first + second + 30_000_000);
            List<OnlineTuning.Round> rounds = new ArrayList<>();
            OnlineTuning tuner = new OnlineTuning(policy, AGENTS,
                    new OnlineTuning.Settings(true, 20, 0.15, 300, 120_000, 1.0), rounds::add);
            try {
                for (int i = 0; i < 20; i++) {
                    assertTrue(tuner.record(run, context));
                }
                assertEquals(1.0, tuner.factors(m.id()).get("a"), 1e-9, "segments on a as expected");
                assertEquals(1.0, tuner.factors(m.id()).get("b"), 1e-9, "segments on b as expected");
                assertTrue(tuner.due(m.id()), "the plan as a whole is 36.7 ms against 6.7 estimated");

                OnlineTuning.Round r = tuner.tune(m.id());
                OnlineTuning.MeasuredRun measured = r.measured();
                assertEquals(6, measured.transitions(), "the plan replayed, one step per operator");
                assertEquals(36.7, measured.measuredMillis(), 1e-6);
                assertEquals(6.7, measured.expectedMillis(), 1e-9);
                assertEquals(15.0, measured.outsidePerSegmentMillis(), 1e-6);
                assertEquals("saved", r.outcome(), OnlineTuning.describe(r));
                assertEquals(dir.resolve("sac-v0002.weights"), r.saved());

                Map<String, String> after = policy.place(context).backendByNode();
                assertEquals(1, new java.util.HashSet<>(after.values()).size(),
                        "one segment (30.3 ms as measured) once each costs 15 ms more: " + before + " -> " + after);
            } finally {
                tuner.close();
            }
        } finally {
            policy.close();
        }
    }

    @Test
    void otherPoliciesPlansTimesAsExpectedAndUnknownModelsStartNoRound() throws Exception {
        SacPolicy policy = new SacPolicy(AGENTS, dir);
        Model m = Views.chain(6, "Conv");
        SchedulingContext context = new SchedulingContext(m, TWO, Map.of(), COSTS);
        CompletableFuture<OnlineTuning.Round> ran = new CompletableFuture<>();
        OnlineTuning tuner = new OnlineTuning(policy, AGENTS, new OnlineTuning.Settings(true, 5, 0.15, 20, 60_000,
                1.0), ran::complete);
        try {
            // a model sac never placed: nothing to learn against
            for (int i = 0; i < 10; i++) {
                tuner.completed(measured(m, "sac", 4));
            }
            assertTrue(tuner.factors(m.id()).isEmpty(), "no sac decision on the model yet");
            policy.place(context);
            // greedy's plans are not sac's to learn from
            for (int i = 0; i < 10; i++) {
                tuner.completed(measured(m, "greedy", 4));
            }
            assertTrue(tuner.factors(m.id()).isEmpty());
            // sac's plans measured as expected: observed, no round
            for (int i = 0; i < 10; i++) {
                tuner.completed(measured(m, "sac", 1.05));
            }
            assertEquals(1.05, tuner.factors(m.id()).get("a"), 1e-9);
            assertFalse(tuner.due(m.id()), "5 % off is within minCorrection");
            // then four times slower: the observer thread starts a round in the background
            for (int i = 0; i < 60; i++) {
                tuner.completed(measured(m, "sac", 8));
            }
            OnlineTuning.Round r = ran.get(120, TimeUnit.SECONDS);
            assertEquals(m.id(), r.modelId());
            assertTrue(r.factors().get("a") >= 1.15, OnlineTuning.describe(r));
        } finally {
            tuner.close();
            policy.close();
        }
    }

    @Test
    void aRoundThatFindsNothingCheaperSavesNothing() throws Exception {
        Model m = Views.chain(6, "Conv");
        SchedulingContext context = new SchedulingContext(m, TWO, Map.of(), COSTS);
        trainedOn(context);
        SacPolicy policy = new SacPolicy(AGENTS, dir);
        try {
            assertTrue(policy.place(context).backendByNode().values().stream().allMatch("a"::equals),
                    "everything on a, the cheaper backend");
            OnlineTuning tuner = new OnlineTuning(policy, AGENTS,
                    new OnlineTuning.Settings(true, 1, 0.15, 10, 60_000, 1.0), r -> { });
            try {
                // a measured 0.8x as expected: a is even cheaper than thought, and everything is on a already
                for (int i = 0; i < 5; i++) {
                    tuner.record(measured(m, "sac", 0.8), context);
                }
                OnlineTuning.Round r = tuner.tune(m.id());
                assertNull(r.saved(), OnlineTuning.describe(r));
                assertTrue(r.outcome().startsWith("kept"), r.outcome());
                assertFalse(Files.exists(dir.resolve("sac-v0002.weights")));
                assertNotNull(policy.currentWeights());
            } finally {
                tuner.close();
            }
        } finally {
            policy.close();
        }
    }
}
