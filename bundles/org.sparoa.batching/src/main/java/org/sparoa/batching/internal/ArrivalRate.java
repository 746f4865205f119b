package org.sparoa.batching.internal;

/** Requests per millisecond arriving at a queue, an exponentially weighted mean of the gaps between arrivals. */
final class ArrivalRate {
    private static final double WEIGHT = 0.05;
    private long last;
    private double meanGapMillis = Double.NaN;

    synchronized void arrived(long nowNanos) {
        if (last != 0) {
            double gap = (nowNanos - last) / 1e6;
            meanGapMillis = Double.isNaN(meanGapMillis) ? gap : meanGapMillis + WEIGHT * (gap - meanGapMillis);
        }
        last = nowNanos;
    }

    /** Requests per ms; 0 while fewer than two have arrived. The gap since the last arrival counts as one too. */
    synchronized double perMilli(long nowNanos) {
        if (Double.isNaN(meanGapMillis)) {
            return 0;
        }
        double sinceLast = (nowNanos - last) / 1e6;
        double gap = Math.max(meanGapMillis, sinceLast);
        return gap <= 0 ? Double.POSITIVE_INFINITY : 1 / gap;
    }
}
