package org.sparoa.backend.sparse.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/** Splits index ranges over the backend's fork-join pool; runs inline when one thread is enough. */
final class Parallel {
    /** Body of a parallel loop over {@code [from, to)}. */
    @FunctionalInterface
    interface RangeBody {
        void run(int from, int to);
    }

    private final ForkJoinPool pool;
    private final int threads;

    Parallel(ForkJoinPool pool) {
        this.pool = pool;
        this.threads = pool == null ? 1 : pool.getParallelism();
    }

    static Parallel sequential() {
        return new Parallel(null);
    }

    int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over {@code [0, n)} in at most {@code threads} contiguous chunks of at least
     * {@code minChunk} indices each.
     */
    void forRange(int n, int minChunk, RangeBody body) {
        int chunks = Math.min(threads, Math.max(1, n / Math.max(1, minChunk)));
        if (chunks <= 1 || pool == null) {
            if (n > 0) {
                body.run(0, n);
            }
            return;
        }
        List<ForkJoinTask<?>> tasks = new ArrayList<>(chunks);
        for (int c = 0; c < chunks; c++) {
            int from = (int) ((long) n * c / chunks);
            int to = (int) ((long) n * (c + 1) / chunks);
            tasks.add(ForkJoinTask.adapt(() -> body.run(from, to)));
        }
        if (ForkJoinTask.inForkJoinPool() && ForkJoinTask.getPool() == pool) {
            ForkJoinTask.invokeAll(tasks);
            return;
        }
        // called from outside the pool (a benchmark, a test): the caller takes the first chunk itself instead of
        // waiting for a worker to wake up and fork it (two wake-ups in a row cost tens of microseconds on a VM)
        for (int c = 1; c < chunks; c++) {
            pool.execute(tasks.get(c));
        }
        tasks.get(0).invoke();
        for (int c = 1; c < chunks; c++) {
            ForkJoinTask<?> t = tasks.get(c);
            for (int spin = 0; spin < SPINS_BEFORE_BLOCKING && !t.isDone(); spin++) {
                Thread.onSpinWait();
            }
            t.join();
        }
    }

    /** Busy-wait checks for a forked chunk before parking: chunks of one loop finish close together. */
    private static final int SPINS_BEFORE_BLOCKING = 20_000;
}
