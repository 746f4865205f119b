package org.sparoa.analyzer.internal;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;

import org.sparoa.api.Model;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.engine.LocalPlatform;

/** The analyzer over a real platform (model registry and engine) with the ort-cpu backend, without OSGi. */
final class AnalyzerFixture implements AutoCloseable {
    final OrtCpuBackend backend = new OrtCpuBackend("ort-cpu", 2, 1);
    final LocalPlatform platform = LocalPlatform.of(backend);
    final CalibratingModelAnalyzer analyzer;

    AnalyzerFixture() {
        this(4, 0.5, 10.0, 32);
    }

    AnalyzerFixture(int runs, double sparsity, double intensity, int cacheSize) {
        analyzer = CalibratingModelAnalyzer.standalone(platform.models(), platform.calibrator(),
                config(runs, sparsity, intensity, cacheSize));
    }

    Model load(String id, Path file) {
        return platform.models().load(id, file);
    }

    /** Writes the bytes to {@code dir/id.onnx} and loads them. */
    Model load(String id, byte[] onnx, Path dir) throws IOException {
        Path file = dir.resolve(id + ".onnx");
        Files.write(file, onnx);
        return load(id, file);
    }

    static CalibratingModelAnalyzer.Config config(int runs, double sparsity, double intensity, int cacheSize) {
        return new CalibratingModelAnalyzer.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return CalibratingModelAnalyzer.Config.class;
            }

            @Override
            public int calibrationRuns() {
                return runs;
            }

            @Override
            public double sparsityThreshold() {
                return sparsity;
            }

            @Override
            public double intensityThreshold() {
                return intensity;
            }

            @Override
            public int cacheSize() {
                return cacheSize;
            }
        };
    }

    @Override
    public void close() {
        platform.close();
        backend.close();
    }
}
