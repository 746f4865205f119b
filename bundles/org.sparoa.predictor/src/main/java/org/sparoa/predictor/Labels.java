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
     * The training target for a sparsity threshold: midway between the best threshold (above) and the largest
     * sparsity below it, so that a prediction a little off still decides the measured levels the same way (the best
     * threshold itself sits on a measured level: half the predictions around it would flip that level). "Always"
     * becomes -0.1, "never" midway between the top level and 1.
     */
    public static double sparsityTarget(double[] x, Boolean[] sparseWins) {
        Double best = sparsityThreshold(x, sparseWins);
        if (best == null) {
            return Double.NaN;
        }
        double below = -0.2;
        for (double v : x) {
            if (v < best && v > below) {
                below = v;
            }
        }
        return (below + best) / 2;
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
