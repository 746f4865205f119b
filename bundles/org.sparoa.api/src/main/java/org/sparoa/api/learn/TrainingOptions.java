package org.sparoa.api.learn;

import java.util.Map;

/**
 * Reads the numeric options a {@link Trainable} is given ({@code --episodes 2000} arrives as {@code episodes -> "2000"}),
 * with errors that name the option and what was wrong. Option names are checked by the caller against
 * {@link Trainable#options()} before {@code train} is called.
 */
public final class TrainingOptions {
    private TrainingOptions() {
    }

    /** The option as an integer of at least {@code min}, or {@code defaultValue} when it is absent. */
    public static int intOption(Map<String, String> options, String name, int defaultValue, int min) {
        long v = longOption(options, name, defaultValue);
        if (v < min || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("option --" + name + " must be an integer from " + min + " to "
                    + Integer.MAX_VALUE + ", got " + v);
        }
        return (int) v;
    }

    /** The option as a long, or {@code defaultValue} when it is absent. */
    public static long longOption(Map<String, String> options, String name, long defaultValue) {
        String v = options.get(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option --" + name + " must be an integer, got '" + v + "'", e);
        }
    }
}
