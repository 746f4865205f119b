package org.sparoa.policy.threshold.internal;

import java.lang.annotation.Annotation;

import org.sparoa.analyzer.internal.CalibratingModelAnalyzer;

/** Typed configurations as ConfigAdmin would hand them to the components. */
final class Configs {
    private Configs() {
    }

    static ThresholdConfig threshold(double sparsity, double intensity, boolean mergeIslands) {
        return new ThresholdConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return ThresholdConfig.class;
            }

            @Override
            public double sparsity() {
                return sparsity;
            }

            @Override
            public double intensity() {
                return intensity;
            }

            @Override
            public String sparseBackend() {
                return "sparse-cpu";
            }

            @Override
            public String denseBackend() {
                return "";
            }

            @Override
            public boolean mergeIslands() {
                return mergeIslands;
            }

            @Override
            public boolean sparoa_policy_costs() {
                return true;
            }
        };
    }

    /** The analyzer's defaults: 2 calibration runs, s* = 0.5, i* = 10 FLOPs/byte. */
    static CalibratingModelAnalyzer.Config analyzer() {
        return new CalibratingModelAnalyzer.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return CalibratingModelAnalyzer.Config.class;
            }

            @Override
            public int calibrationRuns() {
                return 2;
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
