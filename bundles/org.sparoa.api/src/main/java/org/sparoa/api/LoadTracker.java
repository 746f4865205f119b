package org.sparoa.api;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a backend knows of its own load, for its {@link DeviceState}: the requests in flight, and how much slower its
 * segments ran lately than the fastest each has run. Each compiled segment takes a {@link #segment() probe} and
 * reports every run to it; a run's slowdown (its time over the segment's fastest) enters an exponentially weighted
 * mean. A segment's time grows when another application takes the cores, or when other requests share them, so the
 * mean tells a scheduler which backend is loaded now. Samples older than {@link #STALE_NANOS} are forgotten (the
 * slowdown is unknown again, NaN), so a backend that nothing runs on does not look loaded forever. Thread-safe.
 */
public final class LoadTracker {

    /** Weight of the newest run in the mean. */
    static final double WEIGHT = 0.2;
    /** After this long without a run the slowdown is unknown again. */
    static final long STALE_NANOS = 3_000_000_000L;
    /** Runs of a segment before its fastest is trusted as the baseline (the first runs include warm-up). */
    static final int BASELINE_RUNS = 3;

    private final AtomicInteger inFlight = new AtomicInteger();
    private double slowdown = Double.NaN;
    private long lastSampleNanos;

    /** A probe for one compiled segment. */
    public Probe segment() {
        return new Probe();
    }

    /** Requests running on the backend now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** The recent slowdown (>= 1), or NaN when no segment has run lately. */
    public synchronized double recentSlowdown() {
        return System.nanoTime() - lastSampleNanos > STALE_NANOS ? Double.NaN : slowdown;
    }

    private synchronized void sample(double ratio) {
        long now = System.nanoTime();
        slowdown = Double.isNaN(slowdown) || now - lastSampleNanos > STALE_NANOS ? ratio
                : (1 - WEIGHT) * slowdown + WEIGHT * ratio;
        lastSampleNanos = now;
    }

    /** Times the runs of one segment: {@link #begin()} before a run, {@link #end(long)} after it. */
    public final class Probe {
        private long fastest = Long.MAX_VALUE;
        private int runs;

        /** Marks a run as in flight; returns its start time for {@link #end}. */
        public long begin() {
            inFlight.incrementAndGet();
            return System.nanoTime();
        }

        /** Ends a run started at {@code startNanos} (also when it failed). */
        public void end(long startNanos) {
            inFlight.decrementAndGet();
            ran(System.nanoTime() - startNanos);
        }

        /** Counts one run that took {@code nanos}. */
        void ran(long nanos) {
            double ratio;
            synchronized (this) {
                runs++;
                fastest = Math.min(fastest, Math.max(1, nanos));
                if (runs <= BASELINE_RUNS) {
                    return;
                }
                ratio = (double) nanos / fastest;
            }
            sample(ratio);
        }
    }
}
