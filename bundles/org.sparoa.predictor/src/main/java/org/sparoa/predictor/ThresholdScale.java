package org.sparoa.predictor;

/**
 * Maps thresholds to the network's [0, 1] outputs and back. Sparsity thresholds are used as they are (1 = the sparse
 * backend never wins up to 95 %, 0 = it always wins). Intensity thresholds span 0.01 to 10^4 FLOP/byte on a log
 * scale; 10^4 stands for "the dense backend never wins".
 */
public final class ThresholdScale {
    public static final double MIN_INTENSITY = 0.01;
    public static final double MAX_INTENSITY = 1e4;
    private static final double LOG_MIN = Math.log10(MIN_INTENSITY);
    private static final double LOG_SPAN = Math.log10(MAX_INTENSITY) - LOG_MIN;

    private ThresholdScale() {
    }

    public static double encodeIntensity(double threshold) {
        double t = Math.min(MAX_INTENSITY, Math.max(MIN_INTENSITY, threshold));
        return (Math.log10(t) - LOG_MIN) / LOG_SPAN;
    }

    public static double decodeIntensity(double unit) {
        return Math.pow(10, LOG_MIN + Math.min(1, Math.max(0, unit)) * LOG_SPAN);
    }

    public static double clampSparsity(double unit) {
        return Math.min(1, Math.max(0, unit));
    }
}
