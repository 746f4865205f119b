package org.sparoa.sim;

/**
 * A simulated time in seconds: the expected value and the range the simulator's uncertain parameters allow
 * (optimistic to pessimistic). Simulated, never measured.
 */
public record TimeRange(double low, double expected, double high) {
    public static final TimeRange ZERO = new TimeRange(0, 0, 0);

    public TimeRange {
        if (!(low >= 0 && low <= expected && expected <= high) || Double.isInfinite(high)) {
            throw new IllegalArgumentException("a time range needs 0 <= low <= expected <= high, finite; got "
                    + low + ", " + expected + ", " + high);
        }
    }

    public TimeRange plus(TimeRange other) {
        return new TimeRange(low + other.low, expected + other.expected, high + other.high);
    }

    public double expectedMillis() {
        return expected * 1e3;
    }

    /** "1.23 ms (0.98-1.70) simulated". */
    public String describeMillis() {
        return String.format("%.3f ms (%.3f-%.3f) simulated", expected * 1e3, low * 1e3, high * 1e3);
    }
}
