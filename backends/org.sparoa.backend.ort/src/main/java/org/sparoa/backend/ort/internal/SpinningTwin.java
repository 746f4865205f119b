package org.sparoa.backend.ort.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * For {@link OrtCpuBackend.Spinning#ADAPTIVE}: a whole-model segment's second ONNX Runtime session, whose threads spin
 * on after a run as plain ONNX Runtime's do, used while the segment runs in a tight loop of its own.
 *
 * <p>Threads that stop when a run returns ({@code within-run}) must be woken at the start of the next run, which on a
 * small CPU costs a few per cent of a small model's run; threads that spin on after a run take a core from whatever
 * runs next for several milliseconds: another model's session, or {@code sparse-cpu}'s workers (docs/performance.md,
 * "Spinning only where nothing else waits", measures both). ONNX Runtime fixes the choice per session, so a segment
 * that runs back to back ({@value #STREAK} runs or more, each starting within {@value #GAP_MICROS} us of the end of the
 * backend's previous run, which was its own) and briefly (runs under {@value #LONGEST_RUN_MICROS} us) runs on this
 * twin, and stays on it through pauses shorter than {@value #SPIN_WINDOW_MICROS} us, while the twin's threads may
 * still spin; a run after another segment's, after a longer pause or after a longer run goes back to the quiet
 * session. The twin is built in the background the first time a streak is seen, so a model never served in a loop
 * never holds a second session. An HTTP server's requests under load also come back to back, and there the spinning
 * threads take the cores its own threads need: this is a setting for one model served by one caller, not the
 * default.
 */
final class SpinningTwin implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpinningTwin.class);
    /** Consecutive back-to-back runs before the twin serves (and is first built). */
    static final int STREAK = 16;
    /** A run that starts later than this after the backend's previous run ended does not continue a streak. */
    static final long GAP_MICROS = 200;
    /**
     * A segment whose runs take longer than this stays on the quiet session: waking the threads is too small a part
     * of its run for spinning to pay, while the spinning threads still slow what the process does between runs.
     */
    static final long LONGEST_RUN_MICROS = 2000;
    /**
     * A pause shorter than this after a run on the twin keeps the streak: ONNX Runtime's threads spin for several
     * milliseconds after a run.
     */
    static final long SPIN_WINDOW_MICROS = 2000;

    /** Creates the twin session: the quiet session's options, with spinning after a run allowed. */
    interface SessionFactory {
        OrtSession create() throws OrtException;
    }

    private final String name;
    private final SessionFactory factory;
    private final Executor builder;
    private final RunSequence runs;
    private final LongSupplier clock;
    private volatile OrtSession twin;
    /** Runs of the segment in a row, each back to back with the one before. */
    private int streak;
    /** Whether the segment's last run was on the twin. */
    private boolean lastOnTwin;
    private long runStart;
    private long lastRunNanos;
    private boolean building;
    private boolean failed;
    private boolean closed;
    private long twinRuns;

    /**
     * @param name    the segment, for the log
     * @param runs    the backend's record of which segment ran last and when it ended
     * @param builder where the twin is built, off the request path
     */
    SpinningTwin(String name, SessionFactory factory, Executor builder, RunSequence runs) {
        this(name, factory, builder, runs, System::nanoTime);
    }

    /** @param clock nanoseconds, as {@link System#nanoTime()} (tests pass their own) */
    SpinningTwin(String name, SessionFactory factory, Executor builder, RunSequence runs, LongSupplier clock) {
        this.name = name;
        this.factory = factory;
        this.builder = builder;
        this.runs = runs;
        this.clock = clock;
    }

    /** The session for a run starting now: the twin within a streak once it exists, else {@code quiet}. */
    OrtSession sessionFor(OrtSession quiet) {
        long now = clock.getAsLong();
        boolean build;
        OrtSession use;
        synchronized (this) {
            long gap = runs.sinceLastEnd(this, now);
            if (lastRunNanos > LONGEST_RUN_MICROS * 1000) {
                streak = 0;
            } else if (gap >= 0 && gap <= GAP_MICROS * 1000) {
                streak++;
            } else if (!(gap >= 0 && lastOnTwin && gap <= SPIN_WINDOW_MICROS * 1000)) {
                // another segment ran in between, or the segment paused long enough for the twin's threads to have
                // stopped spinning; a shorter pause keeps the streak, since the twin's threads may still spin and a
                // run on the quiet session would have to wake its own while they take a core
                streak = 0;
            }
            build = streak >= STREAK && twin == null && !building && !failed && !closed;
            building |= build;
            use = streak >= STREAK ? twin : null;
            lastOnTwin = use != null;
            if (use != null) {
                twinRuns++;
            }
            runStart = now;
        }
        if (build) {
            build();
        }
        return use != null ? use : quiet;
    }

    /** Marks the end of a run of the segment, whichever session ran it. */
    void ended() {
        long now = clock.getAsLong();
        synchronized (this) {
            lastRunNanos = now - runStart;
        }
        runs.ended(this, now);
    }

    /** Whether the twin exists (tests). */
    boolean built() {
        return twin != null;
    }

    /** Runs served by the twin so far (tests). */
    synchronized long twinRuns() {
        return twinRuns;
    }

    private void build() {
        try {
            builder.execute(() -> {
                OrtSession s = null;
                try {
                    s = factory.create();
                } catch (OrtException | RuntimeException e) {
                    LOG.warn("{}: no spinning session for back-to-back runs ({}); they stay on the quiet one", name,
                            e.toString());
                }
                synchronized (this) {
                    building = false;
                    failed = s == null;
                    if (!closed) {
                        twin = s;
                        if (s != null) {
                            LOG.info("{}: runs back to back, so they go to a session whose threads spin on between "
                                    + "runs", name);
                        }
                        return;
                    }
                }
                closeQuietly(s);
            });
        } catch (RejectedExecutionException e) {
            synchronized (this) {
                building = false;
                failed = true;
            }
        }
    }

    @Override
    public void close() {
        OrtSession t;
        synchronized (this) {
            closed = true;
            t = twin;
            twin = null;
        }
        closeQuietly(t);
    }

    private void closeQuietly(OrtSession s) {
        if (s == null) {
            return;
        }
        try {
            s.close();
        } catch (OrtException e) {
            LOG.warn("{}: closing the spinning session: {}", name, e.getMessage());
        }
    }

    /** The backend's last run: which segment's, and when it ended. */
    static final class RunSequence {
        private Object last;
        private long lastEnd;

        /** Nanoseconds since {@code who}'s run ended, when it was the backend's last; else -1. */
        synchronized long sinceLastEnd(Object who, long now) {
            return last == who ? Math.max(0, now - lastEnd) : -1;
        }

        synchronized void ended(Object who, long now) {
            last = who;
            lastEnd = now;
        }

        /** Another run of the backend ended (a segment without a twin): the next twin run starts no streak. */
        synchronized void endedElsewhere() {
            last = null;
        }
    }
}
