package org.sparoa.backend.ort.internal;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * {@link SpinningTwin}'s choice of session on a clock of the test's: a streak of back-to-back short runs reaches the
 * twin, a pause shorter than the spin window keeps it, a longer pause, a long run or another segment's run ends it.
 */
class SpinningTwinRulesTest {
    private static final long US = 1_000;
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final SpinningTwin.RunSequence runs = new SpinningTwin.RunSequence();
    private OrtSession quiet;
    private SpinningTwin twin;
    private OrtSession built;

    @BeforeEach
    void open() throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        byte[] model = HandOverTest.elementwiseModel();
        quiet = env.createSession(model, new OrtSession.SessionOptions());
        // the twin is built on the calling thread: the test sees it as soon as a streak asks for it
        twin = new SpinningTwin("test", () -> built = env.createSession(model, new OrtSession.SessionOptions()),
                Runnable::run, runs, clock::get);
    }

    @AfterEach
    void close() throws OrtException {
        twin.close();
        quiet.close();
    }

    /** A run of {@code micros} us that starts {@code gapMicros} us after the previous one ended; its session. */
    private OrtSession run(long gapMicros, long micros) {
        clock.addAndGet(gapMicros * US);
        OrtSession s = twin.sessionFor(quiet);
        clock.addAndGet(micros * US);
        twin.ended();
        return s;
    }

    /** Back-to-back runs until one is on the twin. */
    private void streak() {
        OrtSession s = quiet;
        for (int i = 0; i < SpinningTwin.STREAK + 2 && s == quiet; i++) {
            s = run(20, 600);
        }
        assertNotNull(built);
        assertSame(built, s);
    }

    @Test
    void aStreakOfBackToBackRunsReachesTheTwinAndAnyOtherRunDoesNot() {
        // the first run follows none; each next one continues the streak, and the one that completes it has the
        // twin built (here at once, on the caller's thread), which serves from the run after
        for (int i = 0; i <= SpinningTwin.STREAK; i++) {
            assertSame(quiet, run(20, 600), "run " + i + " of the streak");
        }
        OrtSession next = run(20, 600);
        assertSame(built, next, "past the streak, on the twin built for it");
    }

    @Test
    void aShortPauseKeepsTheTwinAndALongerOneEndsTheStreak() {
        streak();
        OrtSession afterShortPause = run(SpinningTwin.SPIN_WINDOW_MICROS - 100, 600);
        assertSame(built, afterShortPause, "its threads may still spin");
        assertSame(built, run(20, 600));
        assertSame(quiet, run(SpinningTwin.SPIN_WINDOW_MICROS + 100, 600), "its threads have stopped");
        assertSame(quiet, run(20, 600), "a new streak starts from nothing");
    }

    @Test
    void aSegmentWithLongRunsStaysQuietAndOneThatTurnsLongLeavesTheTwin() {
        long longRun = SpinningTwin.LONGEST_RUN_MICROS + 100;
        for (int i = 0; i < 4 * SpinningTwin.STREAK; i++) {
            assertSame(quiet, run(20, longRun), "run " + i + ": waking its threads is a small part of such a run");
        }
        streak(); // the same segment, now with short runs
        run(20, longRun); // on the twin still: the run's length is known only once it is over
        assertSame(quiet, run(20, 600), "after a long run");
    }

    @Test
    void anotherSegmentsRunInBetweenEndsTheStreak() {
        streak();
        clock.addAndGet(5 * US);
        runs.endedElsewhere();
        assertSame(quiet, run(5, 600), "the other segment would have run beside the twin's spinning threads");
    }
}
