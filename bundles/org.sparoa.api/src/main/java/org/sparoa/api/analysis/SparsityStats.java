package org.sparoa.api.analysis;

/** Fraction of zero elements of a tensor set, over the calibration runs: smallest, mean and largest. */
public record SparsityStats(double min, double mean, double max, int runs) {

    public SparsityStats {
        if (runs < 1) {
            throw new IllegalArgumentException("sparsity needs at least one run");
        }
    }

    /** Summarises the per-run fractions. */
    public static SparsityStats of(double[] perRun) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        for (double v : perRun) {
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
        }
        return new SparsityStats(min, sum / perRun.length, max, perRun.length);
    }
}
