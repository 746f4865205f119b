package org.sparoa.bench;

import java.lang.annotation.Annotation;

import org.sparoa.analyzer.internal.CalibratingModelAnalyzer;

/** The analyzer's configuration as the benchmarks run it: the shipped thresholds, a given number of calibration runs. */
final class AnalyzerConfigs {
    private AnalyzerConfigs() {
    }

    static CalibratingModelAnalyzer.Config withCalibrationRuns(int runs) {
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
                return 0.5;
            }

            @Override
            public double intensityThreshold() {
                return 10.0;
            }

            @Override
            public int cacheSize() {
                return 32;
            }
        };
    }
}
