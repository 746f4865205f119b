package org.sparoa.predictor;

/** The thresholds that best reproduce measured decisions. */
public final class Labels {

    private Labels() {
    }

    /**
     * The sparsity threshold t (a value of {@code x} or 1 for "never") for which "x >= t means the sparse backend"
     * agrees with the most measured levels; ties go to the larger threshold. Null when no level has both times.
     */
    public static Double sparsityThreshold(double[] x, Boolean[] sparseWins) {
        int measured = 0;
        for (Boolean w : sparseWins) {
            measured += w == null ? 0 : 1;
        }
        if (measured == 0) {
            return null;
        }
        double best = 1.0;
        int bestAgree = agreement(x, sparseWins, 1.0);
        for (double t : x) {
            int a = agreement(x, sparseWins, t);
            if (a > bestAgree || (a == bestAgree && t > best)) {
                best = t;
                bestAgree = a;
            }
        }
        return best;
    }

    /**
     * How far outside the measured levels the target of "always" and "never" lies: the middle of an open-ended
     * interval of right answers is far from its one end, and a prediction that lands a little off must still decide
     * the end level right (with a target of -0.1 for "always", predictions of 0.001-0.17 put ReLUs and adds whose own
     * sparsity is 0 on the wrong backend).
     */
    public static final double END_MARGIN = 0.25;

    /**
     * The training target for a sparsity threshold: the middle of the interval of thresholds that decide the measured
     * levels as the best threshold (above) does, i.e. midway between the best threshold and the largest sparsity
     * below it (the best threshold itself sits on a measured level: half the predictions around it would flip that
     * level). "Always" (no level below the best) becomes {@link #END_MARGIN} below the best threshold, "never" (1)
     * {@link #END_MARGIN} above 1.
     */
    public static double sparsityTarget(double[] x, Boolean[] sparseWins) {
        Double best = sparsityThreshold(x, sparseWins);
        if (best == null) {
            return Double.NaN;
        }
        if (best >= 1) {
            return 1 + END_MARGIN;
        }
        double below = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            if (v < best && v > below) {
                below = v;
            }
        }
        return below == Double.NEGATIVE_INFINITY ? best - END_MARGIN : (below + best) / 2;
    }

    static int agreement(double[] x, Boolean[] sparseWins, double t) {
        int agree = 0;
        for (int j = 0; j < x.length; j++) {
            if (sparseWins[j] != null && (x[j] >= t) == sparseWins[j]) {
                agree++;
            }
        }
        return agree;
    }

    /** How far beyond an operator's own intensity {@link #intensityFromDecision} puts its label (a factor). */
    public static final double INTENSITY_SIDE = 2.0;

    /**
     * An intensity label from one measured decision, where the intensity cannot be swept (a real GPU: an operator's
     * FLOPs cannot be scaled at fixed bytes as the simulator's can): the crossover is above the operator's intensity
     * when the CPU side won ({@code sparseWins}), below it when the GPU won; the label lies {@link #INTENSITY_SIDE}
     * times beyond it on that side, so that the threshold learned decides this operator as measured. Null when the
     * intensity is unknown or not positive, or the decision is (a tie, a failed run).
     */
    public static Double intensityFromDecision(double intensity, Boolean sparseWins) {
        if (sparseWins == null || !(intensity > 0) || Double.isInfinite(intensity)) {
            return null;
        }
        double label = sparseWins ? intensity * INTENSITY_SIDE : intensity / INTENSITY_SIDE;
        return Math.max(ThresholdScale.MIN_INTENSITY, Math.min(ThresholdScale.MAX_INTENSITY, label));
    }

    /**
     * The intensity at which the dense device starts to win, from times at increasing intensities: the smallest
     * grid intensity from which on the dense device is faster at every larger one; the grid's top when it never
     * is, its bottom when it always is.
     */
    public static double intensityThreshold(double[] intensities, double[] sparseMs, double[] denseMs) {
        int from = intensities.length;
        for (int k = intensities.length - 1; k >= 0; k--) {
            if (denseMs[k] < sparseMs[k]) {
                from = k;
            } else {
                break;
            }
        }
        return from == intensities.length ? ThresholdScale.MAX_INTENSITY : intensities[from];
    }
}
