package org.sparoa.predictor;

import java.util.Arrays;

/**
 * Repeated measurements of one operator at one level: their median, and whether two backends are a tie. A tie is
 * when the ranges [min, max] of the two backends' repeats overlap, i.e. the gap between them is not larger than
 * what the repeats of one backend already differ by; then either decision costs less than the measurement noise.
 * NaN repeats (a run that failed) are left out; with fewer than two valid repeats per backend nothing is known.
 */
public final class Spread {

    private Spread() {
    }

    /** The median of the valid (non-NaN) values; NaN when there is none. */
    public static double median(double[] values) {
        double[] v = valid(values);
        if (v.length == 0) {
            return Double.NaN;
        }
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** Whether the two backends' repeats overlap; null when either has fewer than two valid repeats. */
    public static Boolean tie(double[] sparse, double[] dense) {
        double[] a = valid(sparse);
        double[] b = valid(dense);
        if (a.length < 2 || b.length < 2) {
            return null;
        }
        double aMin = Arrays.stream(a).min().getAsDouble();
        double aMax = Arrays.stream(a).max().getAsDouble();
        double bMin = Arrays.stream(b).min().getAsDouble();
        double bMax = Arrays.stream(b).max().getAsDouble();
        return Math.max(aMin, bMin) <= Math.min(aMax, bMax);
    }

    private static double[] valid(double[] values) {
        return values == null ? new double[0] : Arrays.stream(values).filter(v -> !Double.isNaN(v)).toArray();
    }
}
