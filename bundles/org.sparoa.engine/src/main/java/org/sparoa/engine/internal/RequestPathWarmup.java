package org.sparoa.engine.internal;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.sparoa.api.Model;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warms the engine's own request path once per model, as serving systems warm a model when it is loaded: the first
 * synchronous request of a model, once it has its result, runs the same request again through the whole path
 * (checks, plan lookup, the plan, the result) up to {@value #MAX_RUNS} times within a configured time, untimed and
 * unseen by observers, before it returns. A fresh JVM runs that path interpreted or in its first, profiling
 * compilation for its first few thousand requests, and on a small model that cost the user a few per cent per request
 * over plain ONNX Runtime until the JIT had compiled it (docs/performance.md, "The platform's own cost as a user sees
 * it"). Warm runs replay: the plan's segments hand back the outputs of one real run ({@link ReplayedSegment}), so a
 * warm run costs the engine's code, not the model's; one in {@value #REAL_EVERY} runs the model, so that the JIT
 * sees both kinds of segment at each call and compiles code that serves the real ones. A warm run that fails ends
 * the warm-up; the request already has its result.
 */
final class RequestPathWarmup {
    private static final Logger LOG = LoggerFactory.getLogger(RequestPathWarmup.class);
    /** Most warm runs of one model. */
    static final int MAX_RUNS = 5000;
    /** One warm run in this many runs the model; the others replay. */
    static final int REAL_EVERY = 64;

    /** One warm run, replaying or not. */
    interface WarmRun {
        void run(boolean replay);
    }

    private final Set<Model> warmed = ConcurrentHashMap.newKeySet();
    /** The replaying twin of each plan being warmed, while its model's warm-up lasts. */
    private final Map<ExecutionPlan, ExecutionPlan> replays = new ConcurrentHashMap<>();
    private volatile long budgetNanos;

    /** How long the first request of a model runs warm-ups (0: never). */
    void configure(long millis) {
        budgetNanos = Math.max(0, millis) * 1_000_000L;
    }

    /**
     * Whether {@code model}'s request path is to be warmed now: true once per model while the budget is not 0 (the
     * request path asks on every request; with the budget 0 it touches nothing).
     */
    boolean claim(Model model) {
        return budgetNanos > 0 && warmed.add(model);
    }

    /**
     * Runs {@code request} until the budget is spent or {@link #MAX_RUNS} runs, after {@link #claim} said so for
     * {@code model}, replaying but for one run in {@link #REAL_EVERY}; returns the runs made.
     */
    int run(Model model, WarmRun request) {
        long budget = budgetNanos;
        long start = System.nanoTime();
        int runs = 0;
        try {
            while (runs < MAX_RUNS && System.nanoTime() - start < budget && !Thread.currentThread().isInterrupted()) {
                request.run(runs % REAL_EVERY != REAL_EVERY - 1);
                runs++;
            }
        } catch (RuntimeException e) {
            LOG.debug("Warm-up of the request path of {} ended after {} runs: {}", model.id(), runs, e.toString());
        } finally {
            replays.keySet().removeIf(p -> p.model() == model);
        }
        LOG.debug("Warmed the request path of {}: {} runs in {} ms", model.id(), runs,
                (System.nanoTime() - start) / 1_000_000);
        return runs;
    }

    /** The plan to run for a replaying warm run of {@code plan}: the same one, replaying, on every warm run. */
    ExecutionPlan replayOf(ExecutionPlan plan) {
        return replays.computeIfAbsent(plan, ExecutionPlan::replaying);
    }

    /** A model unloaded or replaced: a model loaded again under its id is warmed again. */
    void forget(Model model) {
        warmed.remove(model);
    }
}
