package org.sparoa.policy.sac.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;

import org.sparoa.api.BackendView;
import org.sparoa.api.PlanSearch;
import org.sparoa.api.learn.AgentSpec;
import org.sparoa.api.learn.SoftActorCritic;
import org.sparoa.api.learn.SoftActorCritics;
import org.sparoa.api.learn.Transition;
import org.sparoa.api.learn.UpdateStats;

/**
 * Trains an agent on placement episodes over a list of cost environments (models x sparsities x loads): each episode
 * takes the next environment of a seeded shuffle, samples every action from the actor's probabilities (no epsilon:
 * the entropy term explores), stores the transitions in a replay buffer, and after {@code warmupSteps} makes one
 * update per {@code stepsPerUpdate} steps on a uniform random batch. Stops after {@code episodes} episodes, at the
 * time limit, or when cancelled. With the same seed, environments and agent factory it takes the same steps.
 */
final class SacTrainer {

    /** Hyper-parameters and bounds of one training run. */
    record Settings(int episodes, long seed, long timeLimitMillis, int hiddenUnits, int hiddenLayers,
                    double learningRate, double gamma, int batchSize, int stepsPerUpdate, int warmupSteps,
                    int replayCapacity) {
        Settings {
            if (episodes < 1 || timeLimitMillis < 1 || batchSize < 1 || stepsPerUpdate < 1 || warmupSteps < 0
                    || replayCapacity < batchSize) {
                throw new IllegalArgumentException("training settings out of range: " + episodes + " episodes (>= 1), "
                        + timeLimitMillis + " ms (>= 1), batch " + batchSize + ", one update per " + stepsPerUpdate
                        + " steps, " + warmupSteps + " warm-up steps, replay " + replayCapacity + " (>= batch)");
            }
        }

        /** The defaults for {@code episodes} episodes with {@code seed}, bounded to {@code timeLimitMillis}. */
        static Settings of(int episodes, long seed, long timeLimitMillis) {
            return new Settings(episodes, seed, timeLimitMillis, 64, 2, 1e-3, 0.9, 64, 1, 256, 100_000);
        }

        Settings withStepsPerUpdate(int steps) {
            return new Settings(episodes, seed, timeLimitMillis, hiddenUnits, hiddenLayers, learningRate, gamma,
                    batchSize, steps, warmupSteps, replayCapacity);
        }

        AgentSpec agentSpec() {
            return new AgentSpec(StateEncoder.SIZE, StateEncoder.SLOTS, hiddenUnits, hiddenLayers, learningRate, gamma,
                    0.01, 0.3);
        }
    }

    /** One training episode: its environment, the plan time it reached, the reference (search) plan's time. */
    record EpisodeRecord(int episode, String environment, double costMillis, double referenceMillis) {
        double ratio() {
            return costMillis / referenceMillis;
        }
    }

    /** Called after every episode, on the training thread. */
    interface Progress {
        void episode(int done, int total, EpisodeRecord record, UpdateStats lastUpdate);
    }

    /** What a run produced: the agent (the caller closes it), the episodes, and why it stopped. */
    record Result(SoftActorCritic agent, List<EpisodeRecord> curve, long updates, boolean cancelled, boolean timedOut) {
    }

    private final Settings settings;

    SacTrainer(Settings settings) {
        this.settings = settings;
    }

    /** Trains a new agent made by {@code agents}. */
    Result train(SoftActorCritics agents, List<CostEnvironment> environments, Progress progress,
                 BooleanSupplier cancelled) {
        return train(agents.create(settings.agentSpec(), settings.seed()), environments, progress, cancelled);
    }

    /** Trains {@code agent} further (e.g. restored weights). */
    Result train(SoftActorCritic agent, List<CostEnvironment> environments, Progress progress,
                 BooleanSupplier cancelled) {
        if (environments.isEmpty()) {
            throw new IllegalArgumentException("training needs at least one cost environment");
        }
        long deadline = System.nanoTime() + settings.timeLimitMillis() * 1_000_000L;
        List<PlacementEpisode> episodes = new ArrayList<>();
        List<Double> references = new ArrayList<>();
        for (CostEnvironment env : environments) {
            PlacementEpisode e = new PlacementEpisode(env);
            episodes.add(e);
            references.add(referenceMillis(e));
        }
        Random random = new Random(settings.seed());
        ReplayBuffer replay = new ReplayBuffer(settings.replayCapacity());
        List<EpisodeRecord> curve = new ArrayList<>();
        List<Integer> order = new ArrayList<>();
        long steps = 0;
        long updates = 0;
        UpdateStats last = null;
        for (int ep = 0; ep < settings.episodes(); ep++) {
            if (order.isEmpty()) {
                for (int i = 0; i < episodes.size(); i++) {
                    order.add(i);
                }
                Collections.shuffle(order, random);
            }
            int index = order.remove(order.size() - 1);
            PlacementEpisode episode = episodes.get(index);
            episode.reset();
            float[] state = episode.state();
            boolean[] mask = episode.mask();
            while (!episode.done()) {
                if (cancelled.getAsBoolean()) {
                    return new Result(agent, List.copyOf(curve), updates, true, false);
                }
                if (System.nanoTime() > deadline) {
                    return new Result(agent, List.copyOf(curve), updates, false, true);
                }
                float[] p = agent.policy(new float[][] {state}, new boolean[][] {mask})[0];
                int action = sample(p, mask, random);
                double reward = episode.step(action);
                boolean done = episode.done();
                float[] nextState = done ? new float[state.length] : episode.state();
                boolean[] nextMask = done ? mask : episode.mask();
                replay.add(new Transition(state, mask, action, reward, nextState, nextMask, done));
                state = nextState;
                mask = nextMask;
                steps++;
                if (steps >= settings.warmupSteps() && replay.size() >= settings.batchSize()
                        && steps % settings.stepsPerUpdate() == 0) {
                    last = agent.update(replay.sample(settings.batchSize(), random));
                    updates++;
                }
            }
            EpisodeRecord r = new EpisodeRecord(ep, episode.environment().name(), episode.totalMillis(),
                    references.get(index));
            curve.add(r);
            progress.episode(ep + 1, settings.episodes(), r, last);
        }
        return new Result(agent, List.copyOf(curve), updates, false, false);
    }

    /**
     * The reference time of an environment: {@link PlanSearch#best} from every single backend and the cheapest
     * backend per operator, under the actual costs, over the backends the agent's slots hold.
     */
    static double referenceMillis(PlacementEpisode episode) {
        CostEnvironment env = episode.environment();
        List<BackendView> slots = env.backends().subList(0, Math.min(StateEncoder.SLOTS, env.backends().size()));
        List<Map<String, String>> starts = new ArrayList<>();
        slots.forEach(b -> starts.add(PlanSearch.allOn(env.graph(), b)));
        starts.add(PlanSearch.cheapestPerOperator(env.graph(), slots, env.actual()));
        return PlanSearch.best(env.graph(), slots, env.actual(), starts).estimate().totalMillis();
    }

    /** An allowed action drawn from the actor's probabilities. */
    static int sample(float[] p, boolean[] mask, Random random) {
        double total = 0;
        for (int s = 0; s < mask.length; s++) {
            if (mask[s]) {
                total += Math.max(0, p[s]);
            }
        }
        if (!(total > 0)) {
            return GreedyRollout.argmax(p, mask);
        }
        double u = random.nextDouble() * total;
        int lastAllowed = -1;
        for (int s = 0; s < mask.length; s++) {
            if (mask[s]) {
                lastAllowed = s;
                u -= Math.max(0, p[s]);
                if (u < 0) {
                    return s;
                }
            }
        }
        return lastAllowed;
    }
}
