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
 * update per {@code stepsPerUpdate} steps on a uniform random batch. Up to {@code parallelEpisodes} episodes of
 * distinct environments run side by side, so that one call of the actor samples a step of each. Transitions of plans
 * that ran for real ({@link MeasuredEpisode}), when given, join the replay buffer at the start and again after every
 * pass over the environments, so that they stay about one environment's share of it. Stops after {@code episodes}
 * episodes, at the time limit, or when cancelled. With the same seed, environments and agent factory it takes the
 * same steps.
 */
final class SacTrainer {

    /** Hyper-parameters and bounds of one training run. */
    record Settings(int episodes, long seed, long timeLimitMillis, int hiddenUnits, int hiddenLayers,
                    double learningRate, double gamma, int batchSize, int stepsPerUpdate, int warmupSteps,
                    int replayCapacity, int parallelEpisodes) {
        Settings {
            if (episodes < 1 || timeLimitMillis < 1 || batchSize < 1 || stepsPerUpdate < 1 || warmupSteps < 0
                    || replayCapacity < batchSize || parallelEpisodes < 1) {
                throw new IllegalArgumentException("training settings out of range: " + episodes + " episodes (>= 1), "
                        + timeLimitMillis + " ms (>= 1), batch " + batchSize + ", one update per " + stepsPerUpdate
                        + " steps, " + warmupSteps + " warm-up steps, replay " + replayCapacity + " (>= batch), "
                        + parallelEpisodes + " parallel episodes");
            }
        }

        /** The defaults for {@code episodes} episodes with {@code seed}, bounded to {@code timeLimitMillis}. */
        static Settings of(int episodes, long seed, long timeLimitMillis) {
            return new Settings(episodes, seed, timeLimitMillis, 64, 2, 1e-3, 0.9, 64, 1, 256, 100_000, 8);
        }

        Settings withStepsPerUpdate(int steps) {
            return new Settings(episodes, seed, timeLimitMillis, hiddenUnits, hiddenLayers, learningRate, gamma,
                    batchSize, steps, warmupSteps, replayCapacity, parallelEpisodes);
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
        return train(agent, environments, List.of(), progress, cancelled);
    }

    /** Trains {@code agent} further, with {@code measured} transitions of plans that ran for real among the replay. */
    Result train(SoftActorCritic agent, List<CostEnvironment> environments, List<Transition> measured,
                 Progress progress, BooleanSupplier cancelled) {
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
        measured.forEach(replay::add);
        List<EpisodeRecord> curve = new ArrayList<>();
        List<Integer> order = new ArrayList<>();
        // up to `parallel` episodes run side by side (distinct environments), so one actor call serves them all
        int parallel = Math.min(settings.parallelEpisodes(), Math.min(episodes.size(), settings.episodes()));
        int[] running = new int[parallel];
        java.util.Arrays.fill(running, -1);
        int started = 0;
        for (int k = 0; k < parallel; k++) {
            running[k] = next(order, episodes.size(), random, running, k);
            episodes.get(running[k]).reset();
            started++;
        }
        boolean[] active = new boolean[parallel];
        java.util.Arrays.fill(active, true);
        long steps = 0;
        long updates = 0;
        UpdateStats last = null;
        while (curve.size() < settings.episodes()) {
            if (cancelled.getAsBoolean()) {
                return new Result(agent, List.copyOf(curve), updates, true, false);
            }
            if (System.nanoTime() > deadline) {
                return new Result(agent, List.copyOf(curve), updates, false, true);
            }
            int live = 0;
            for (boolean a : active) {
                live += a ? 1 : 0;
            }
            float[][] states = new float[live][];
            boolean[][] masks = new boolean[live][];
            int[] which = new int[live];
            for (int k = 0, j = 0; k < parallel; k++) {
                if (active[k]) {
                    PlacementEpisode e = episodes.get(running[k]);
                    states[j] = e.state();
                    masks[j] = e.mask();
                    which[j++] = k;
                }
            }
            float[][] p = agent.policy(states, masks);
            for (int j = 0; j < live; j++) {
                int k = which[j];
                PlacementEpisode e = episodes.get(running[k]);
                int action = sample(p[j], masks[j], random);
                double reward = e.step(action);
                boolean done = e.done();
                replay.add(new Transition(states[j], masks[j], action, reward,
                        done ? new float[states[j].length] : e.state(), done ? masks[j] : e.mask(), done));
                steps++;
                if (steps >= settings.warmupSteps() && replay.size() >= settings.batchSize()
                        && steps % settings.stepsPerUpdate() == 0) {
                    last = agent.update(replay.sample(settings.batchSize(), random));
                    updates++;
                }
                if (done) {
                    EpisodeRecord r = new EpisodeRecord(curve.size(), e.environment().name(), e.totalMillis(),
                            references.get(running[k]));
                    curve.add(r);
                    if (!measured.isEmpty() && curve.size() % episodes.size() == 0) {
                        measured.forEach(replay::add);
                    }
                    progress.episode(curve.size(), settings.episodes(), r, last);
                    if (started < settings.episodes()) {
                        running[k] = next(order, episodes.size(), random, running, k);
                        episodes.get(running[k]).reset();
                        started++;
                    } else {
                        active[k] = false;
                    }
                }
            }
        }
        return new Result(agent, List.copyOf(curve), updates, false, false);
    }

    /** The next environment of the seeded shuffle that is not running in another lane. */
    private static int next(List<Integer> order, int count, Random random, int[] running, int lane) {
        for (int attempt = 0; attempt < 2 * count + 2; attempt++) {
            if (order.isEmpty()) {
                for (int i = 0; i < count; i++) {
                    order.add(i);
                }
                Collections.shuffle(order, random);
            }
            int candidate = order.remove(order.size() - 1);
            boolean busy = false;
            for (int k = 0; k < lane; k++) {
                busy |= running[k] == candidate;
            }
            for (int k = lane + 1; k < running.length; k++) {
                busy |= running[k] == candidate;
            }
            if (!busy) {
                return candidate;
            }
            order.add(0, candidate); // keep it for later in this pass
        }
        throw new IllegalStateException("no free environment for lane " + lane);
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
