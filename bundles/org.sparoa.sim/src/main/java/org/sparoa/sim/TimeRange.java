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

    /**
     * This range {@code factor} times as long ({@code factor} finite, >= 0).
     *
     * @since 1.1
     */
    public TimeRange times(double factor) {
        if (!(factor >= 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("a time range scales by a finite factor >= 0, got " + factor);
        }
        return new TimeRange(low * factor, expected * factor, high * factor);
    }

    public double expectedMillis() {
        return expected * 1e3;
    }

    /** "1.23 ms (0.98-1.70) simulated". */
    public String describeMillis() {
        return String.format("%.3f ms (%.3f-%.3f) simulated", expected * 1e3, low * 1e3, high * 1e3);
    }
}
