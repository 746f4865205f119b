package org.sparoa.backend.sparse.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The threads of one backend's parallel loops: an owner thread (whichever thread holds the team for a segment run:
 * the backend's main thread, or a synchronous caller) and {@code threads - 1} workers that take chunks of each loop
 * the owner publishes. Between loops a worker spin-waits
 * for up to {@code spinNanos} before it parks: a segment is a chain of short loops (a BlazeFace block is tens of
 * microseconds), and waking a parked thread costs about as much on a VM, so a fork-join pool whose idle workers park
 * paid that wake-up on most loops. The spin is bounded so that an idle backend gives the cores back at once.
 */
final class WorkerTeam implements AutoCloseable {
    /** A published loop: chunks taken by whoever comes first, counted when finished. */
    private static final class Job {
        final Parallel.RangeBody body;
        final int n;
        final int chunks;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;

        Job(Parallel.RangeBody body, int n, int chunks) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
        }

        /** Takes and runs chunks until none is left; true if this call finished the last one. */
        boolean work() {
            boolean last = false;
            for (int c; (c = next.getAndIncrement()) < chunks; ) {
                try {
                    body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
                } catch (Throwable t) {
                    if (failure == null) {
                        failure = t;
                    }
                }
                last = done.incrementAndGet() == chunks;
            }
            return last;
        }
    }

    private final int threads;
    private final long spinNanos;
    private volatile Thread owner;
    private final Thread[] workers;
    /** 1 while worker i is parked or about to park. */
    private final AtomicIntegerArray parked;
    private volatile Job job;
    private volatile boolean closed;
    private volatile boolean ownerWaiting;
    /** Set when a segment run ends: idle workers park at once instead of spinning, leaving the cores to others. */
    private volatile boolean resting;

    /**
     * @param owner the thread that will call {@link #run} (null: set later with {@link #ownedBy}); loops called from
     *              any other thread, or from inside a loop, run inline
     */
    WorkerTeam(int threads, long spinNanos, Thread owner, String name) {
        this(threads, spinNanos, owner, name, () -> { });
    }

    /** As {@link #WorkerTeam(int, long, Thread, String)}, each worker running {@code onStart} first (its pinning). */
    WorkerTeam(int threads, long spinNanos, Thread owner, String name, Runnable onStart) {
        this.threads = Math.max(1, threads);
        this.spinNanos = spinNanos;
        this.owner = owner;
        this.workers = new Thread[this.threads - 1];
        this.parked = new AtomicIntegerArray(workers.length);
        for (int i = 0; i < workers.length; i++) {
            int index = i;
            workers[i] = new Thread(() -> {
                onStart.run();
                workLoop(index);
            }, name + "-" + (i + 1));
            workers[i].setDaemon(true);
            workers[i].start();
        }
    }

    int threads() {
        return threads;
    }

    /** The thread whose loops use the team from now on (null: none; loops then run inline). */
    void ownedBy(Thread thread) {
        owner = thread;
    }

    /** Whether a loop called now may use the team: on the owner thread, and not from inside another loop. */
    boolean canRun() {
        return Thread.currentThread() == owner && job == null && !closed;
    }

    /** Runs {@code body} over {@code [0, n)} in {@code chunks} contiguous chunks, the owner taking chunks too. */
    void run(int n, int chunks, Parallel.RangeBody body) {
        Job j = new Job(body, n, chunks);
        resting = false;
        job = j;
        for (int i = 0; i < workers.length; i++) {
            if (parked.get(i) != 0) {
                LockSupport.unpark(workers[i]);
            }
        }
        j.work();
        long start = System.nanoTime();
        while (j.done.get() < chunks) {
            if (System.nanoTime() - start < spinNanos) {
                Thread.onSpinWait();
            } else {
                ownerWaiting = true;
                if (j.done.get() < chunks) {
                    LockSupport.parkNanos(this, 50_000);
                }
                ownerWaiting = false;
            }
        }
        job = null;
        Throwable failure = j.failure;
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    private void workLoop(int index) {
        Job last = null;
        while (!closed) {
            Job j = job;
            if (j != null && j != last) {
                last = j;
                if (j.work() && ownerWaiting) {
                    LockSupport.unpark(owner);
                }
                continue;
            }
            long start = System.nanoTime();
            boolean found = false;
            while (!resting && System.nanoTime() - start < spinNanos) {
                j = job;
                if (j != null && j != last) {
                    found = true;
                    break;
                }
                Thread.onSpinWait();
            }
            if (!found) {
                // parked is written before job is read again, and the owner writes job before it reads parked: one
                // of the two sees the other, so a published loop never waits for a worker that went to sleep
                parked.set(index, 1);
                j = job;
                if (!closed && (j == null || j == last)) {
                    LockSupport.park(this);
                }
                parked.set(index, 0);
            }
        }
    }

    /**
     * The owner's work is over for now (a segment run ended): idle workers park at once instead of spinning for the
     * next loop, so that the next backend of the plan (ONNX Runtime's threads) gets the cores. The next {@link #run}
     * wakes them.
     */
    void rest() {
        resting = true;
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
