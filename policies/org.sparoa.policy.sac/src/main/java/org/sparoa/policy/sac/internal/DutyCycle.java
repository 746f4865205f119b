package org.sparoa.policy.sac.internal;

import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Keeps a background thread's work to a share of wall-clock time: asked between two steps of work, it lets the
 * thread work for a slice and then sleeps in proportion ({@code slice x (1 - share) / share}), so that requests served
 * meanwhile find the cores free most of the time instead of sharing them with a training loop for seconds on end.
 * Also the stop signal of the work: true once {@code stop} says so or the thread is interrupted while pausing.
 */
final class DutyCycle implements BooleanSupplier {
    /** Work between two pauses. */
    static final long SLICE_NANOS = 20_000_000L;

    private final double share;
    private final BooleanSupplier stop;
    private final LongSupplier clock;
    private final Sleeper sleeper;
    private long sliceStart;
    private long slept;
    private boolean interrupted;

    /** Sleeps for the given nanoseconds; interruptible. */
    interface Sleeper {
        void sleep(long nanos) throws InterruptedException;
    }

    DutyCycle(double share, BooleanSupplier stop) {
        this(share, stop, System::nanoTime, nanos -> Thread.sleep(nanos / 1_000_000L, (int) (nanos % 1_000_000L)));
    }

    DutyCycle(double share, BooleanSupplier stop, LongSupplier clock, Sleeper sleeper) {
        if (!(share > 0 && share <= 1)) {
            throw new IllegalArgumentException("the share of time to work must be in (0, 1], got " + share);
        }
        this.share = share;
        this.stop = stop;
        this.clock = clock;
        this.sleeper = sleeper;
        this.sliceStart = clock.getAsLong();
    }

    @Override
    public boolean getAsBoolean() {
        if (interrupted || stop.getAsBoolean()) {
            return true;
        }
        long worked = clock.getAsLong() - sliceStart;
        if (share < 1 && worked >= SLICE_NANOS) {
            long pause = (long) (worked * (1 - share) / share);
            try {
                sleeper.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                interrupted = true;
                return true;
            }
            slept += pause;
            sliceStart = clock.getAsLong();
        }
        return stop.getAsBoolean();
    }

    /** Nanoseconds spent pausing so far. */
    long sleptNanos() {
        return slept;
    }
}
