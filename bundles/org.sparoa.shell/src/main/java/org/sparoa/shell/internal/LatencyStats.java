package org.sparoa.shell.internal;

import java.util.Arrays;

/** Percentiles and mean of a series of latencies, in milliseconds. */
public record LatencyStats(int count, double p50, double p90, double p99, double mean) {

    public static LatencyStats of(long[] nanos) {
        if (nanos.length == 0) {
            return new LatencyStats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        long[] s = nanos.clone();
        Arrays.sort(s);
        return new LatencyStats(s.length, pct(s, 50), pct(s, 90), pct(s, 99), Arrays.stream(s).average().orElse(0) / 1e6);
    }

    /** Nearest-rank percentile. */
    private static double pct(long[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
    }
}
