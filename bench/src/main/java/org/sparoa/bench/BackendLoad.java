package org.sparoa.bench;

import java.util.Map;

import org.sparoa.api.InferenceService;
import org.sparoa.api.RunOptions;
import org.sparoa.api.Tensor;

/**
 * A bounded background load on one backend, as another application sharing it would make: {@code threads} threads
 * run a model pinned to the backend back to back until {@link #close()} or until {@code maxMillis} have passed,
 * whichever comes first (so a crashed caller never leaves it running). Counts the runs it made.
 */
public final class BackendLoad extends BoundedLoad {

    private BackendLoad(long maxMillis) {
        super(maxMillis);
    }

    /** Starts {@code threads} threads running {@code modelId} on {@code backendId} for at most {@code maxMillis}. */
    public static BackendLoad start(InferenceService inference, String modelId, Map<String, Tensor> inputs,
                                    String backendId, int threads, long maxMillis) {
        if (threads < 1) {
            throw new IllegalArgumentException("a load needs at least one thread, got " + threads);
        }
        BackendLoad load = new BackendLoad(maxMillis);
        RunOptions pinned = RunOptions.onBackend(backendId);
        for (int i = 0; i < threads; i++) {
            load.start(() -> {
                while (load.running()) {
                    inference.infer(modelId, inputs, pinned);
                    load.ran();
                }
            }, "sparoa-load-" + backendId + "-" + i);
        }
        return load;
    }
}
