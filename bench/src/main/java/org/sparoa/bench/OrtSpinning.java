package org.sparoa.bench;

import org.sparoa.backend.ort.internal.OrtCpuBackend;

/** The ort-cpu backend's spinning a benchmark runs with: {@code -Dbench.ortSpinning=auto|on|within-run|off}. */
public final class OrtSpinning {
    private OrtSpinning() {
    }

    /** The setting the system property names; {@code auto} (the backend's default) without it. */
    public static OrtCpuBackend.Spinning fromProperty() {
        return OrtCpuBackend.Spinning.parse(System.getProperty("bench.ortSpinning", "auto"));
    }
}
