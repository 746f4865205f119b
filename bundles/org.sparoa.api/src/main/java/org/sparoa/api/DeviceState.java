package org.sparoa.api;

/**
 * A backend's live state. Unknown values are negative ({@code utilisation}, {@code freeMemoryBytes}) or NaN
 * ({@code powerWatts}, {@code temperatureCelsius}).
 */
public record DeviceState(boolean available, double utilisation, int queueDepth, long freeMemoryBytes,
                          double powerWatts, double temperatureCelsius, String detail) {

    public static DeviceState idle(long freeMemoryBytes) {
        return new DeviceState(true, 0, 0, freeMemoryBytes, Double.NaN, Double.NaN, "");
    }
}
