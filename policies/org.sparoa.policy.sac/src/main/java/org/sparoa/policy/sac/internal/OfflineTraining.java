package org.sparoa.policy.sac.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.sparoa.api.PlanCost;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.learn.SoftActorCritic;
import org.sparoa.api.learn.SoftActorCritics;
import org.sparoa.api.predict.ThresholdPredictor;

/**
 * One offline training run from scheduling contexts (a model, its backends and cost model each): every context
 * becomes its training scenarios ({@link CostEnvironment#scenarios}: idle, and each backend loaded by each of
 * {@link #LOAD_FACTORS}), the {@link SacTrainer} trains a new agent on them, and the trained agent is evaluated
 * greedily on each scenario against the reference search. For {@code sparoa:train sac} and the benchmark main that
 * makes the shipped default.
 */
public final class OfflineTraining {
    /** How much slower a loaded backend runs in the training scenarios. */
    public static final List<Double> LOAD_FACTORS = List.of(2.0, 4.0);

    /**
     * Where the trained agent stands on one scenario: its greedy plan's time against the reference's, how long
     * the agent took to decide (state encoding and one actor call per operator, as the policy decides), and what
     * the agent's plan for the idle backends would cost in this scenario (a plan cached before the load came).
     */
    public record Evaluation(String environment, int operators, double agentMillis, double referenceMillis,
                             double decisionMillis, double idlePlanMillis) {
        public double ratio() {
            return agentMillis / referenceMillis;
        }
    }

    /**
     * What a run produced: the weights to save (null when cancelled), per episode its plan time over the reference's, the evaluations, the
     * reward curve as SVG, and whether it was cancelled or stopped at the time limit.
     */
    public record Outcome(byte[] weights, List<Double> curve, List<Evaluation> evaluations,
                          String svg, long updates, boolean cancelled, boolean timedOut) {
        /** The mean of {@link Evaluation#ratio()} over the scenarios. */
        public double meanRatio() {
            return evaluations.stream().mapToDouble(Evaluation::ratio).average().orElse(Double.NaN);
        }

        public int episodes() {
            return curve.size();
        }
    }

    /** Told after every episode. */
    public interface Listener {
        void episode(int done, int total, String environment, double ratio);
    }

    private OfflineTraining() {
    }

    /**
     * Trains on {@code contexts} for at most {@code episodes} episodes and {@code timeLimitMillis}; the predicted
     * thresholds come from {@code predictor} (may be null). {@code info} is stored with the weights.
     */
    public static Outcome run(SoftActorCritics agents, List<SchedulingContext> contexts, ThresholdPredictor predictor,
                              int episodes, long seed, long timeLimitMillis, Map<String, String> info,
                              Listener listener, BooleanSupplier cancelled) {
        return run(agents, contexts, predictor, episodes, seed, timeLimitMillis, 1, info, listener, cancelled);
    }

    /** {@link #run} making one update per {@code stepsPerUpdate} steps (more episodes for the same updates). */
    public static Outcome run(SoftActorCritics agents, List<SchedulingContext> contexts, ThresholdPredictor predictor,
                              int episodes, long seed, long timeLimitMillis, int stepsPerUpdate,
                              Map<String, String> info, Listener listener, BooleanSupplier cancelled) {
        List<Integer> idleOf = new ArrayList<>();
        List<CostEnvironment> environments = scenarios(contexts, predictor, idleOf);
        SacTrainer.Settings settings = SacTrainer.Settings.of(episodes, seed, timeLimitMillis)
                .withStepsPerUpdate(stepsPerUpdate);
        SacTrainer.Result r = new SacTrainer(settings).train(agents, environments,
                (done, total, rec, stats) -> listener.episode(done, total, rec.environment(), rec.ratio()), cancelled);
        try (SoftActorCritic agent = r.agent()) {
            if (r.cancelled()) {
                return new Outcome(null, ratios(r), List.of(), "", r.updates(), true, false);
            }
            Map<String, float[]> trained = agent.weights();
            Actor actor = PlainActor.of(settings.agentSpec(), trained).map(a -> (Actor) a)
                    .orElseGet(() -> Actor.of(agent));
            List<Evaluation> evaluations = evaluate(actor, environments, idleOf);
            Map<String, String> stored = new LinkedHashMap<>(info);
            stored.put("seed", Long.toString(seed));
            stored.put("episodes", Integer.toString(r.curve().size()));
            stored.put("updates", Long.toString(r.updates()));
            stored.put("stepsPerUpdate", Integer.toString(stepsPerUpdate));
            stored.put("scenarios", Integer.toString(environments.size()));
            byte[] weights = new SacWeights(settings.agentSpec(), StateEncoder.SLOTS, SacWeights.STATE_LAYOUT, stored,
                    trained).toBytes();
            String title = String.format(Locale.ROOT, "sac training: %d episodes over %d scenarios, seed %d",
                    r.curve().size(), environments.size(), seed);
            return new Outcome(weights, ratios(r), evaluations, RewardCurvePlot.svg(r.curve(), title),
                    r.updates(), false, r.timedOut());
        }
    }

    /**
     * Evaluates stored weights (as {@link Outcome#weights()} gave them) on the training scenarios of
     * {@code contexts}, without training. Throws {@link IllegalArgumentException} for weights that cannot be read or
     * do not fit this bundle's state.
     */
    public static List<Evaluation> evaluate(SoftActorCritics agents, byte[] weights, List<SchedulingContext> contexts,
                                            ThresholdPredictor predictor) {
        SacWeights w;
        try {
            w = SacWeights.fromBytes(weights, "the weights to evaluate");
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (!w.fitsEncoder()) {
            throw new IllegalArgumentException("the weights to evaluate were " + w.mismatch());
        }
        List<Integer> idleOf = new ArrayList<>();
        List<CostEnvironment> environments = scenarios(contexts, predictor, idleOf);
        try (SoftActorCritic agent = agents.restore(w.spec(), w.weights(), 0)) {
            // as the policy decides: the actor in plain Java where the weights allow it
            Actor actor = PlainActor.of(w.spec(), w.weights()).map(a -> (Actor) a).orElseGet(() -> Actor.of(agent));
            return evaluate(actor, environments, idleOf);
        }
    }

    /** Every context's scenarios, in order; {@code idleOf} receives, per scenario, the index of its idle one. */
    private static List<CostEnvironment> scenarios(List<SchedulingContext> contexts, ThresholdPredictor predictor,
                                                   List<Integer> idleOf) {
        List<CostEnvironment> environments = new ArrayList<>();
        for (SchedulingContext c : contexts) {
            List<CostEnvironment> scenarios = CostEnvironment.of(c, ThresholdFeatures.of(c, predictor))
                    .scenarios(LOAD_FACTORS);
            int idle = environments.size() + 1; // the idle scenario whose slowdown is known
            scenarios.forEach(e -> idleOf.add(idle));
            environments.addAll(scenarios);
        }
        return environments;
    }

    private static List<Evaluation> evaluate(Actor agent, List<CostEnvironment> environments,
                                             List<Integer> idleOf) {
        List<Evaluation> evaluations = new ArrayList<>();
        Map<Integer, Map<String, String>> idlePlans = new java.util.HashMap<>();
        for (int i = 0; i < environments.size(); i++) {
            CostEnvironment env = environments.get(i);
            long t0 = System.nanoTime();
            PlacementEpisode episode = new PlacementEpisode(env);
            GreedyRollout.Decision d = GreedyRollout.run(agent, episode, false);
            double decisionMillis = (System.nanoTime() - t0) / 1e6;
            Map<String, String> idlePlan = idlePlans.computeIfAbsent(idleOf.get(i), k -> GreedyRollout.run(agent,
                    new PlacementEpisode(environments.get(k)), false).placement());
            evaluations.add(new Evaluation(env.name(), env.graph().nodes().size(), d.totalMillis(),
                    SacTrainer.referenceMillis(episode), decisionMillis,
                    PlanCost.millis(env.graph(), idlePlan, env.actual())));
        }
        return List.copyOf(evaluations);
    }

    private static List<Double> ratios(SacTrainer.Result r) {
        return r.curve().stream().map(SacTrainer.EpisodeRecord::ratio).toList();
    }
}
