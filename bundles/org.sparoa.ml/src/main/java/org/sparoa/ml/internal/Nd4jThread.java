package org.sparoa.ml.internal;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * One long-lived thread for the sequence networks' ND4J work. ND4J and the C allocator keep memory per thread
 * (SameDiff's sessions and their array caches, workspaces, glibc's allocator arenas); in the server every shell
 * command runs on a thread of its own, so training runs that did their ND4J work on the caller's thread each left a
 * few hundred MB behind in a new arena. On this thread every run reuses what the one before freed. Work runs under
 * this bundle's context class loader ({@link ContextLoader}).
 */
final class Nd4jThread implements AutoCloseable {
    private volatile Thread thread;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sparoa-nd4j");
        t.setDaemon(true);
        thread = t;
        return t;
    });

    /** Runs {@code work} on this thread and returns its result; from this thread itself, runs it in place. */
    <T> T call(Supplier<T> work) {
        if (Thread.currentThread() == thread) {
            return ContextLoader.call(work);
        }
        Future<T> f;
        try {
            f = executor.submit(() -> ContextLoader.call(work));
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the learning runtime (bundle org.sparoa.ml) has stopped", e);
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    // a step takes milliseconds: finish it, so that no two threads ever use the graph at once
                    interrupted = true;
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    void run(Runnable work) {
        call(() -> {
            work.run();
            return null;
        });
    }

    @Override
    public void close() {
        executor.shutdown();
    }
}
