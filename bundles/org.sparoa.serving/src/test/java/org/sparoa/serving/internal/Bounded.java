package org.sparoa.serving.internal;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Runs one fuzz execution on a worker thread and holds it to the bound: at most one second of CPU time (so
 * that a machine shared with other builds does not fail a fast input), and a hang guard of ten seconds of wall time.
 */
final class Bounded implements AutoCloseable {
    static final long CPU_LIMIT_NANOS = 1_000_000_000L;
    private static final long WALL_LIMIT_SECONDS = 10;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fuzz-execution");
        t.setDaemon(true);
        return t;
    });

    /** What an execution returned and the CPU time it took. */
    record Result<T>(T value, long cpuNanos) {
    }

    <T> Result<T> run(String what, Supplier<T> execution) {
        Future<Result<T>> f = worker.submit(() -> {
            long t0 = THREADS.getCurrentThreadCpuTime();
            T v = execution.get();
            return new Result<>(v, THREADS.getCurrentThreadCpuTime() - t0);
        });
        Result<T> r;
        try {
            r = f.get(WALL_LIMIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new AssertionError(what + " hung: no answer after " + WALL_LIMIT_SECONDS + " s");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AssertionError a) {
                throw a;
            }
            throw new AssertionError(what + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(what + " interrupted");
        }
        if (r.cpuNanos() > CPU_LIMIT_NANOS) {
            throw new AssertionError(what + " took " + r.cpuNanos() / 1_000_000 + " ms of CPU, over the bound of "
                    + CPU_LIMIT_NANOS / 1_000_000 + " ms");
        }
        return r;
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
