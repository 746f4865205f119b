package org.sparoa.batching.internal;

import java.util.Arrays;

/** The end-to-end latencies of the last requests answered, for p50/p99. */
final class LatencyWindow {
    private final double[] millis;
    private int next;
    private int size;

    LatencyWindow(int capacity) {
        this.millis = new double[capacity];
    }

    synchronized void add(double ms) {
        millis[next] = ms;
        next = (next + 1) % millis.length;
        size = Math.min(size + 1, millis.length);
    }

    /** The q-quantile (0..1), nearest rank; NaN when empty. */
    synchronized double quantile(double q) {
        if (size == 0) {
            return Double.NaN;
        }
        double[] copy = Arrays.copyOf(millis, size);
        Arrays.sort(copy);
        int rank = (int) Math.ceil(q * size) - 1;
        return copy[Math.max(0, Math.min(size - 1, rank))];
    }
}
