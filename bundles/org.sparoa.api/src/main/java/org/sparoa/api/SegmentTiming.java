package org.sparoa.api;

/** When one segment of one request ran, in nanoseconds relative to the request's start. */
public record SegmentTiming(int segment, String backendId, long startNanos, long endNanos) {

    public double millis() {
        return (endNanos - startNanos) / 1e6;
    }
}
