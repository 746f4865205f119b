package org.sparoa.backend.ort.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * For {@link OrtCpuBackend.Spinning#ADAPTIVE}: a whole-model segment's second ONNX Runtime session, whose threads spin
 * on after a run as plain ONNX Runtime's do, used while the segment runs in a tight loop of its own.
 *
 * <p>Threads that stop when a run returns ({@code within-run}) must be woken at the start of the next run: on a
 * small CPU that costs a few percent of a small model's run (BlazeFace front: 0.69-0.72 against 0.67-0.68 ms,
 * docs/performance.md). Threads that spin on after a run take the cores from whatever runs next for ~10-20 ms: another
 * model's session or {@code sparse-cpu}'s workers (a Java task right after a run took 1.19 instead of 0.65 ms). ONNX
 * Runtime fixes the choice per session, so a segment that runs back to back, {@value #STREAK} runs or more each
 * starting within {@value #GAP_MICROS} us of the previous run of the backend, which was its own, runs on this twin;
 * any other run, on the quiet session. The twin is built in the background once such a streak is first seen, so a
 * model never served in a loop never holds a second session.
 */
final class SpinningTwin implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpinningTwin.class);
    /** Consecutive back-to-back runs before the twin serves (and is first built). */
    static final int STREAK = 16;
    /** A run that starts later than this after the backend's previous run ended does not continue a streak. */
    static final long GAP_MICROS = 200;

    /** Creates the twin session: the quiet session's options, with spinning after a run allowed. */
    interface SessionFactory {
        OrtSession create() throws OrtException;
    }

    private final String name;
    private final SessionFactory factory;
    private final Executor builder;
    private final RunSequence runs;
    private volatile OrtSession twin;
    /** Runs of the segment in a row, each back to back with the one before. */
    private int streak;
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
        this.name = name;
        this.factory = factory;
        this.builder = builder;
        this.runs = runs;
    }

    /** The session for a run starting now: the twin within a streak once it exists, else {@code quiet}. */
    OrtSession sessionFor(OrtSession quiet) {
        boolean backToBack = runs.follows(this, System.nanoTime(), GAP_MICROS * 1000);
        boolean build;
        OrtSession use;
        synchronized (this) {
            streak = backToBack ? streak + 1 : 0;
            build = streak >= STREAK && twin == null && !building && !failed && !closed;
            building |= build;
            use = streak >= STREAK ? twin : null;
            if (use != null) {
                twinRuns++;
            }
        }
        if (build) {
            build();
        }
        return use != null ? use : quiet;
    }

    /** Marks the end of a run of the segment, whichever session ran it. */
    void ended() {
        runs.ended(this, System.nanoTime());
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

        synchronized boolean follows(Object who, long now, long gapNanos) {
            return last == who && now - lastEnd <= gapNanos;
        }

        synchronized void ended(Object who, long now) {
            last = who;
            lastEnd = now;
        }

        /** Another run of the backend ended (a segment without a twin): the next twin run starts no streak. */
        synchronized void endedElsewhere(long now) {
            last = null;
            lastEnd = now;
        }
    }
}
