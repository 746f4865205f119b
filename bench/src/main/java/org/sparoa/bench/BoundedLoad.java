package org.sparoa.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A background load made by threads of this JVM ({@link BackendLoad}): daemon threads that run until {@link #close()}
 * or a deadline, whichever comes first (so a crashed caller never leaves one running), and the runs they made.
 */
abstract class BoundedLoad implements BackgroundLoad {

    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong runs = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private final long deadline;

    /** A load that ends at the latest {@code maxMillis} from now. */
    BoundedLoad(long maxMillis) {
        if (maxMillis < 1) {
            throw new IllegalArgumentException("a load needs a positive bound, got " + maxMillis + " ms");
        }
        this.deadline = System.nanoTime() + maxMillis * 1_000_000L;
    }

    /** Whether the load's threads should go on: not closed, deadline not passed. */
    final boolean running() {
        return !stop.get() && System.nanoTime() < deadline;
    }

    /** Counts one run of the load. */
    final void ran() {
        runs.incrementAndGet();
    }

    /** Starts {@code body} on a daemon thread named {@code name}, joined by {@link #close()}. */
    final void start(Runnable body, String name) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    @Override
    public final long runs() {
        return runs.get();
    }

    @Override
    public final void close() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
    }
}
