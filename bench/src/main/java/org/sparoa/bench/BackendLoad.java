package org.sparoa.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.sparoa.api.InferenceService;
import org.sparoa.api.RunOptions;
import org.sparoa.api.Tensor;

/**
 * A bounded background load on one backend, as another application sharing it would make: {@code threads} threads
 * run a model pinned to the backend back to back until {@link #close()} or until {@code maxMillis} have passed,
 * whichever comes first (so a crashed caller never leaves it running). Counts the runs it made.
 */
public final class BackendLoad implements AutoCloseable {

    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong runs = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();

    private BackendLoad() {
    }

    /** Starts {@code threads} threads running {@code modelId} on {@code backendId} for at most {@code maxMillis}. */
    public static BackendLoad start(InferenceService inference, String modelId, Map<String, Tensor> inputs,
                                    String backendId, int threads, long maxMillis) {
        if (threads < 1 || maxMillis < 1) {
            throw new IllegalArgumentException("a load needs at least one thread and a positive bound, got " + threads
                    + " threads, " + maxMillis + " ms");
        }
        BackendLoad load = new BackendLoad();
        long end = System.nanoTime() + maxMillis * 1_000_000L;
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                RunOptions pinned = RunOptions.onBackend(backendId);
                while (!load.stop.get() && System.nanoTime() < end) {
                    inference.infer(modelId, inputs, pinned);
                    load.runs.incrementAndGet();
                }
            }, "sparoa-load-" + backendId + "-" + i);
            t.setDaemon(true);
            load.threads.add(t);
            t.start();
        }
        return load;
    }

    public long runs() {
        return runs.get();
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
    }
}
