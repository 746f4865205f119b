package org.sparoa.api;

/**
 * A backend's live state. Unknown values are negative ({@code utilisation}, {@code freeMemoryBytes}) or NaN
 * ({@code powerWatts}, {@code temperatureCelsius}, {@code recentSlowdown}). {@code utilisation} is the busy share of
 * the processor the backend runs on (0..1; for a CPU backend the other processes' share of the machine's CPU, or of
 * its own CPUs where it is pinned to some, so that another application's load shows, {@link CpuLoad}),
 * {@code queueDepth} the requests running or waiting on the backend, and
 * {@code recentSlowdown} how much slower its segments ran lately than the fastest each has run (1 = as fast as ever;
 * see {@link LoadTracker}).
 */
public record DeviceState(boolean available, double utilisation, int queueDepth, long freeMemoryBytes,
                          double powerWatts, double temperatureCelsius, String detail, double recentSlowdown) {

    /** A state whose recent slowdown is unknown (the form before 1.5). */
    public DeviceState(boolean available, double utilisation, int queueDepth, long freeMemoryBytes,
                       double powerWatts, double temperatureCelsius, String detail) {
        this(available, utilisation, queueDepth, freeMemoryBytes, powerWatts, temperatureCelsius, detail, Double.NaN);
    }

    public static DeviceState idle(long freeMemoryBytes) {
        return new DeviceState(true, 0, 0, freeMemoryBytes, Double.NaN, Double.NaN, "");
    }
}
