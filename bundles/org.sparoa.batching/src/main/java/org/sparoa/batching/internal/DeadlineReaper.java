package org.sparoa.batching.internal;

import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Answers requests whose deadline has passed, every {@link #TICK_MILLIS} ms. One thread that looks at the queues on a
 * fixed tick, rather than a timer task per request: scheduling and cancelling a task wakes the timer thread twice
 * per request, which on a small busy CPU costs more than the batching itself. Deadlines are met to within a tick.
 */
final class DeadlineReaper implements AutoCloseable {
    static final long TICK_MILLIS = 5;
    private final Thread thread;
    private volatile boolean closed;

    DeadlineReaper(Supplier<Collection<ModelQueue>> queues) {
        this.thread = new Thread(() -> {
            while (!closed) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS));
                long now = System.nanoTime();
                for (ModelQueue q : queues.get()) {
                    q.expireOverdue(now);
                }
            }
        }, "sparoa-batch-deadlines");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
    }
}
