package org.sparoa.bench;

import java.util.function.BiFunction;

import org.sparoa.analyzer.internal.CalibratingModelAnalyzer;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.backend.sparse.internal.SparseCpuBackend;
import org.sparoa.engine.LocalPlatform;

/**
 * The engine on this machine's two CPU backends ({@code ort-cpu} with the spinning {@code -Dbench.ortSpinning} names,
 * {@code sparse-cpu} with its default dense threshold), both on {@code threads} threads, and the calibrating analyzer
 * with 4 calibration runs: what the policy benchmarks plan and run on. Closing it closes the platform, then the
 * backends.
 */
final class CpuBenchPlatform implements AutoCloseable {
    private final SparseCpuBackend sparse;
    private final OrtCpuBackend ort;
    private final LocalPlatform platform;

    private CpuBenchPlatform(int threads, BiFunction<OrtCpuBackend, SparseCpuBackend, LocalPlatform> engine) {
        this.sparse = new SparseCpuBackend(threads, SparseCpuBackend.DEFAULT_DENSE_BELOW_SPARSITY);
        this.ort = new OrtCpuBackend("ort-cpu", threads, 1, OrtSpinning.fromProperty());
        this.platform = engine.apply(ort, sparse);
        platform.setAnalyzer(CalibratingModelAnalyzer.standalone(platform.models(), platform.calibrator(),
                AnalyzerConfigs.withCalibrationRuns(4)));
    }

    /** With the engine's defaults. */
    static CpuBenchPlatform open(int threads) {
        return new CpuBenchPlatform(threads, (o, s) -> LocalPlatform.of(o, s));
    }

    /** Measured plans measured a second time, warm, after {@code requests} requests. */
    static CpuBenchPlatform remeasuringAfter(int requests, int threads) {
        return new CpuBenchPlatform(threads, (o, s) -> LocalPlatform.remeasuringAfter(requests, o, s));
    }

    LocalPlatform platform() {
        return platform;
    }

    @Override
    public void close() {
        try {
            platform.close();
        } finally {
            try {
                ort.close();
            } finally {
                sparse.close();
            }
        }
    }
}
