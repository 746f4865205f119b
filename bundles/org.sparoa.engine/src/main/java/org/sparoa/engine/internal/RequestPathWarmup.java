package org.sparoa.engine.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.sparoa.api.Model;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warms the engine's own request path once per model, as serving systems warm a model when it is loaded: the first
 * synchronous request of a model, once it has its result, runs the same request again through the whole path
 * (checks, plan lookup, the plan, the result) for up to a configured time, untimed and unseen by observers, before it
 * returns. A fresh JVM runs that path interpreted or in its first, profiling compilation for its first few thousand
 * requests, and on a small model that cost the user a few per cent per request over plain ONNX Runtime until the JIT
 * had compiled it (docs/performance.md, "The platform's own cost as a user sees it"); the warm-up pays it up front,
 * in the first request, bounded in time so that a large model gets a few runs and a small one many. A warm run that
 * fails ends the warm-up; the request already has its result.
 */
final class RequestPathWarmup {
    private static final Logger LOG = LoggerFactory.getLogger(RequestPathWarmup.class);
    /** Most warm runs of one model, however fast it runs. */
    static final int MAX_RUNS = 5000;

    private final Set<Model> warmed = ConcurrentHashMap.newKeySet();
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
     * {@code model}; returns the runs made.
     */
    int run(Model model, Runnable request) {
        long budget = budgetNanos;
        long start = System.nanoTime();
        int runs = 0;
        try {
            while (runs < MAX_RUNS && System.nanoTime() - start < budget && !Thread.currentThread().isInterrupted()) {
                request.run();
                runs++;
            }
        } catch (RuntimeException e) {
            LOG.debug("Warm-up of the request path of {} ended after {} runs: {}", model.id(), runs, e.toString());
        }
        LOG.debug("Warmed the request path of {}: {} runs in {} ms", model.id(), runs,
                (System.nanoTime() - start) / 1_000_000);
        return runs;
    }

    /** A model unloaded or replaced: a model loaded again under its id is warmed again. */
    void forget(Model model) {
        warmed.remove(model);
    }
}
