package org.sparoa.batching.internal;

import java.util.Arrays;

/**
 * The measured compute time of a batch as a function of its rows, learned from the live plan: an exponentially
 * weighted mean per batch size, so that the curve follows a plan that changes (a backend that joins or leaves).
 * Sizes never measured are estimated from the measured neighbours, assuming time grows no less than linearly past
 * the largest one measured: an estimate never promises more batching gain than was seen. A measured size is estimated
 * at most {@link #PER_ROW_BOUND} times slower per row than a smaller measured size: bigger batches can be slower per
 * row (caches), but not by that much, so a size whose mean an outlier has inflated (a run preempted on a busy machine)
 * is not kept out of use, and so never measured again, for good.
 */
final class LatencyCurve {
    static final int MAX_ROWS = 1024;
    /** How many times slower per row than a smaller measured size a measured size may be estimated. */
    static final double PER_ROW_BOUND = 2;
    /** Batches run since a size last ran after which its mean counts as stale (see {@link #isStale}). */
    static final long STALE_AFTER = 200;
    private static final double WEIGHT = 0.2;
    private final double[] millis = new double[MAX_ROWS + 1];
    private final long[] samples = new long[MAX_ROWS + 1];
    /** {@code fastestPerRow[b]}: the least mean per row of the sizes measured up to {@code b} (infinite: none). */
    private final double[] fastestPerRow = new double[MAX_ROWS + 1];
    /** {@code lastRun[b]}: the value of {@link #runs} when size {@code b} last ran. */
    private final long[] lastRun = new long[MAX_ROWS + 1];
    private long runs;

    LatencyCurve() {
        Arrays.fill(fastestPerRow, Double.POSITIVE_INFINITY);
    }

    synchronized void record(long rows, double computeMillis) {
        if (rows < 1 || rows > MAX_ROWS || !(computeMillis >= 0)) {
            return;
        }
        int b = (int) rows;
        // a run preempted on a busy machine can take ten times the usual: one such outlier moves the mean by at most
        // WEIGHT x 3 x the mean
        double sample = samples[b] == 0 ? computeMillis : Math.min(computeMillis, 4 * millis[b]);
        millis[b] = samples[b] == 0 ? sample : millis[b] + WEIGHT * (sample - millis[b]);
        samples[b]++;
        lastRun[b] = ++runs;
        double fastest = b > 1 ? fastestPerRow[b - 1] : Double.POSITIVE_INFINITY;
        for (int i = b; i <= MAX_ROWS; i++) {
            if (samples[i] > 0) {
                fastest = Math.min(fastest, millis[i] / i);
            }
            fastestPerRow[i] = fastest;
        }
    }

    /** The measured mean of size {@code b}, bounded by {@link #PER_ROW_BOUND} x the fastest smaller size per row. */
    private double measured(int b) {
        return b > 1 ? Math.min(millis[b], PER_ROW_BOUND * fastestPerRow[b - 1] * b) : millis[b];
    }

    /** Estimated compute time of a batch of {@code rows}, in ms; NaN while nothing has been measured. */
    synchronized double estimate(int rows) {
        if (rows < 1 || rows > MAX_ROWS) {
            throw new IllegalArgumentException("batch of " + rows + " rows");
        }
        if (samples[rows] > 0) {
            return measured(rows);
        }
        int below = rows - 1;
        while (below >= 1 && samples[below] == 0) {
            below--;
        }
        int above = rows + 1;
        while (above <= MAX_ROWS && samples[above] == 0) {
            above++;
        }
        if (below >= 1 && above <= MAX_ROWS) {
            double f = (rows - below) / (double) (above - below);
            return measured(below) + f * (measured(above) - measured(below));
        }
        if (below >= 1) {
            return measured(below) * rows / below;
        }
        if (above <= MAX_ROWS) {
            return measured(above) * rows / above; // no less than linear down to the smallest measured size
        }
        return Double.NaN;
    }

    /**
     * Whether a size ran, but not in the last {@link #STALE_AFTER} batches: its mean may be an old outlier that keeps
     * the batcher from choosing it, and a size that is not chosen is never measured again unless it is tried.
     */
    synchronized boolean isStale(int rows) {
        return rows >= 1 && rows <= MAX_ROWS && samples[rows] > 0 && runs - lastRun[rows] > STALE_AFTER;
    }

    synchronized long samples(int rows) {
        return rows < 1 || rows > MAX_ROWS ? 0 : samples[rows];
    }
}
