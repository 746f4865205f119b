package org.sparoa.bench;

import org.sparoa.backend.ort.internal.OrtCpuBackend;

/**
 * The ort-cpu backend's spinning a benchmark runs with:
 * {@code -Dbench.ortSpinning=bounded|adaptive|auto|on|within-run|off} and, for {@code bounded},
 * {@code -Dbench.ortSpinMicros=N} (default the backend's).
 */
public final class OrtSpinning {
    private OrtSpinning() {
    }

    /** The setting the system property names; {@code auto} without it. */
    public static OrtCpuBackend.Spinning fromProperty() {
        return OrtCpuBackend.Spinning.parse(System.getProperty("bench.ortSpinning", "auto"));
    }

    /** How long a {@code bounded} backend's threads spin after a run, in microseconds. */
    public static int spinMicros() {
        return Integer.getInteger("bench.ortSpinMicros", OrtCpuBackend.DEFAULT_SPIN_MICROS);
    }
}
