package org.sparoa.predictor;

/**
 * Maps thresholds to the network's [0, 1] outputs and back. Sparsity thresholds (1 = the sparse backend never wins up
 * to 95 %, 0 = it always wins) keep a margin at both ends. Intensity thresholds span 0.01 to 10^4 FLOP/byte on a log
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

    /**
     * Sparsity thresholds get a margin of 0.35 on both sides of the sigmoid's range: a sigmoid never reaches 0 or 1,
     * but "always" (an operator with no zeros at all belongs on the sparse backend: threshold 0) and "never" (1) must
     * be reachable, with room for their targets {@link Labels#END_MARGIN} beyond the measured levels.
     */
    public static double encodeSparsity(double threshold) {
        return (Math.min(1 + SPARSITY_MARGIN, Math.max(-SPARSITY_MARGIN, threshold)) + SPARSITY_MARGIN)
                / (1 + 2 * SPARSITY_MARGIN);
    }

    public static double decodeSparsity(double unit) {
        return Math.min(1, Math.max(0, unit * (1 + 2 * SPARSITY_MARGIN) - SPARSITY_MARGIN));
    }

    private static final double SPARSITY_MARGIN = 0.35;
}
