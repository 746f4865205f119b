package org.sparoa.policy.sac.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class DutyCycleTest {
    private static final long MS = 1_000_000L;

    /** A clock that only moves when told to (work) or when the cycle sleeps. */
    private static final class FakeTime {
        final AtomicLong now = new AtomicLong(1_000 * MS);
        final List<Long> sleeps = new ArrayList<>();

        void sleep(long nanos) {
            sleeps.add(nanos);
            now.addAndGet(nanos);
        }
    }

    @Test
    void aQuarterShareSleepsThreeTimesWhatItWorkedAfterEachSlice() {
        FakeTime t = new FakeTime();
        DutyCycle cycle = new DutyCycle(0.25, () -> false, t.now::get, t::sleep);
        long start = t.now.get();
        for (int step = 0; step < 100; step++) {
            t.now.addAndGet(4 * MS); // one step of work
            assertFalse(cycle.getAsBoolean());
        }
        long worked = 100 * 4 * MS;
        long elapsed = t.now.get() - start;
        // pauses only after whole slices: 20 slices of 20 ms, each followed by 60 ms of sleep
        assertEquals(20, t.sleeps.size());
        t.sleeps.forEach(s -> assertEquals(60 * MS, s));
        assertEquals(3.0 * worked, cycle.sleptNanos(), 1);
        assertEquals(0.25, (double) worked / elapsed, 1e-9);
    }

    @Test
    void aFullShareNeverSleeps() {
        FakeTime t = new FakeTime();
        DutyCycle cycle = new DutyCycle(1, () -> false, t.now::get, t::sleep);
        for (int step = 0; step < 50; step++) {
            t.now.addAndGet(30 * MS);
            assertFalse(cycle.getAsBoolean());
        }
        assertTrue(t.sleeps.isEmpty());
        assertEquals(0, cycle.sleptNanos());
    }

    @Test
    void aStopAsksNoMorePauses() {
        FakeTime t = new FakeTime();
        AtomicBoolean stop = new AtomicBoolean();
        DutyCycle cycle = new DutyCycle(0.1, stop::get, t.now::get, t::sleep);
        t.now.addAndGet(50 * MS);
        stop.set(true);
        assertTrue(cycle.getAsBoolean());
        assertTrue(t.sleeps.isEmpty(), "a stopped round ends at once instead of pausing first");
    }

    @Test
    void anInterruptedPauseStopsTheWorkAndKeepsTheInterrupt() {
        AtomicLong now = new AtomicLong();
        DutyCycle cycle = new DutyCycle(0.5, () -> false, now::get, nanos -> {
            throw new InterruptedException("bundle stopping");
        });
        now.addAndGet(25 * MS);
        try {
            assertTrue(cycle.getAsBoolean());
            assertTrue(Thread.currentThread().isInterrupted());
            assertTrue(cycle.getAsBoolean(), "stays stopped");
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void aShareOutsideZeroToOneIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DutyCycle(0, () -> false));
        assertTrue(e.getMessage().contains("share"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DutyCycle(1.5, () -> false));
    }
}
