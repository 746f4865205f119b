package org.sparoa.policy.sac.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.sparoa.api.BackendView;
import org.sparoa.api.CompletedRequest;
import org.sparoa.api.CostModel;
import org.sparoa.api.Model;
import org.sparoa.api.PlanDescription;
import org.sparoa.api.SegmentPlan;
import org.sparoa.api.SegmentTiming;
import org.sparoa.api.learn.SoftActorCritic;
import org.sparoa.api.learn.SoftActorCritics;
import org.sparoa.api.learn.Transition;
import org.sparoa.ml.Networks;

/** The trainer on tiny environments whose optimum is known by trying every placement. */
class SacTrainerTest {
    private static final SoftActorCritics AGENTS = Networks.agentsOutsideOsgi(1);
    private static final List<BackendView> TWO = List.of(new Views.Fake("a"), new Views.Fake("b"));

    /**
     * Six operators; on b every other one is much cheaper, but a segment costs 1 ms: the cheapest backend per
     * operator (b, a, b, a, b, a) pays six segments, while everything on a pays one.
     */
    static CostEnvironment alternating() {
        Model m = Views.chain(6, "Conv");
        CostModel costs = Views.costs((b, n) -> {
            int i = Integer.parseInt(n.name().substring(2));
            return b.equals("a") ? 1.0 : (i % 2 == 0 ? 0.5 : 2.0);
        }, 0.2, 1.0);
        return Views.environment(m, TWO, costs);
    }

    /** Six operators a little cheaper on a than on b; hand-overs and segments cost enough to keep one backend. */
    static CostEnvironment preferA() {
        Model m = Views.chain(6, "Conv");
        return Views.environment(m, TWO, Views.costs((b, n) -> b.equals("a") ? 1.0 : 1.5, 0.3, 0.5));
    }

    @Test
    void onATinyEnvironmentTrainingReachesTheExhaustiveOptimum() {
        CostEnvironment env = alternating();
        double optimum = BruteForce.optimumMillis(env);
        assertEquals(7.0, optimum, 1e-9, "everything on a: 6 x 1 ms + one segment");
        SacTrainer.Result r = new SacTrainer(SacTrainer.Settings.of(150, 7, 600_000)).train(AGENTS, List.of(env),
                (done, total, rec, stats) -> { }, () -> false);
        try (SoftActorCritic agent = r.agent()) {
            GreedyRollout.Decision d = GreedyRollout.run(agent, new PlacementEpisode(env), false);
            assertEquals(optimum, d.totalMillis(), 1e-9, "the trained agent's plan: " + d.placement());
            assertEquals(150, r.curve().size());
            assertTrue(r.updates() > 500, "updates " + r.updates());
        }
    }

    @Test
    void underLoadTheTrainedAgentMovesOperatorsOffTheLoadedBackend() {
        CostEnvironment idle = preferA().idle(1);
        CostEnvironment loaded = idle.withLoad("a", 4);
        SacTrainer.Result r = new SacTrainer(SacTrainer.Settings.of(200, 11, 600_000)).train(AGENTS,
                List.of(idle, loaded), (done, total, rec, stats) -> { }, () -> false);
        try (SoftActorCritic agent = r.agent()) {
            Map<String, String> calm = GreedyRollout.run(agent, new PlacementEpisode(idle), false).placement();
            GreedyRollout.Decision busy = GreedyRollout.run(agent, new PlacementEpisode(loaded), false);
            assertTrue(calm.values().stream().allMatch("a"::equals), "idle: everything on the cheaper a, " + calm);
            assertTrue(busy.placement().values().stream().allMatch("b"::equals),
                    "a loaded x4: everything moved to b, " + busy.placement());
            assertEquals(BruteForce.optimumMillis(loaded), busy.totalMillis(), 1e-9);
        }
    }

    /**
     * One operator the cost model prices at 1 ms on a and 1.5 on b, which ran on a for real in 10 ms: trained on the
     * cost model alone the agent keeps a; with the measured run among its experience it learns b.
     */
    @Test
    void transitionsOfAPlanThatRanForRealTeachWhatTheCostModelDoesNot() {
        Model m = Views.chain(1, "Conv");
        CostEnvironment env = Views.environment(m, TWO, Views.costs((b, n) -> b.equals("a") ? 1.0 : 1.5, 0.3, 0.5));
        MeasuredPlan ran = new MeasuredPlan(0.98);
        ran.add(new CompletedRequest(m.id(), new PlanDescription(m.id(), "sac", null, List.of(new SegmentPlan(0, "a",
                List.of("op0"), List.of("x"), List.of("y")))), List.of(new SegmentTiming(0, "a", 0, 10_000_000)),
                10_000_000), 1.5);
        List<Transition> measured = MeasuredEpisode.of(env, ran.snapshot().orElseThrow()).orElseThrow()
                .transitions();
        assertEquals(1, measured.size());

        SacTrainer trainer = new SacTrainer(SacTrainer.Settings.of(600, 3, 600_000));
        try (SoftActorCritic modelOnly = trainer.train(AGENTS, List.of(env), (d, t, r, u) -> { }, () -> false)
                .agent()) {
            assertEquals(Map.of("op0", "a"), GreedyRollout.run(modelOnly, new PlacementEpisode(env), false)
                    .placement(), "the cost model alone says a");
        }
        try (SoftActorCritic fresh = AGENTS.create(SacTrainer.Settings.of(600, 3, 600_000).agentSpec(), 3);
             SoftActorCritic asRun = trainer.train(fresh, List.of(env), measured, (d, t, r, u) -> { }, () -> false)
                     .agent()) {
            assertEquals(Map.of("op0", "b"), GreedyRollout.run(asRun, new PlacementEpisode(env), false)
                    .placement(), "a measured at 10 ms: b");
        }
    }

    @Test
    void theSameSeedTakesTheSameStepsAndCancellingStopsAtOnce() {
        CostEnvironment env = alternating();
        List<Double> first = curve(env, 42, 40);
        List<Double> again = curve(env, 42, 40);
        assertEquals(first, again, "same seed, same episodes");

        AtomicInteger episodes = new AtomicInteger();
        SacTrainer.Result cancelled = new SacTrainer(SacTrainer.Settings.of(1000, 1, 600_000)).train(AGENTS,
                List.of(env), (done, total, rec, stats) -> episodes.set(done), () -> episodes.get() >= 3);
        try (SoftActorCritic agent = cancelled.agent()) {
            assertTrue(cancelled.cancelled());
            assertFalse(cancelled.timedOut());
            assertEquals(3, cancelled.curve().size());
        }
    }

    private static List<Double> curve(CostEnvironment env, long seed, int episodes) {
        SacTrainer.Result r = new SacTrainer(SacTrainer.Settings.of(episodes, seed, 600_000)).train(AGENTS,
                List.of(env), (done, total, rec, stats) -> { }, () -> false);
        try (SoftActorCritic agent = r.agent()) {
            return r.curve().stream().map(SacTrainer.EpisodeRecord::costMillis).toList();
        }
    }
}
