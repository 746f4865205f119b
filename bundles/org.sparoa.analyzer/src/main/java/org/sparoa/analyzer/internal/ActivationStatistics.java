package org.sparoa.analyzer.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.sparoa.analyzer.SparsityStats;
import org.sparoa.api.Tensor;

/**
 * Zero counts of the activation tensors, per calibration run. Only counts are kept, not the tensors, so that
 * memory does not grow with the number of runs.
 */
final class ActivationStatistics {
    private final int runs;
    private final Map<String, long[]> zeros = new HashMap<>();
    private final Map<String, long[]> elements = new HashMap<>();

    ActivationStatistics(int runs) {
        this.runs = runs;
    }

    static ActivationStatistics none() {
        return new ActivationStatistics(0);
    }

    int runs() {
        return runs;
    }

    void record(int run, String tensor, Tensor value) {
        long z = ZeroCounter.zeros(value);
        synchronized (this) {
            zeros.computeIfAbsent(tensor, k -> new long[runs])[run] = z;
            elements.computeIfAbsent(tensor, k -> new long[runs])[run] = value.elementCount();
        }
    }

    /**
     * Fraction of zeros over the given tensors together, per run, summarised; empty when no run measured any
     * of them (or there were no runs).
     */
    synchronized Optional<SparsityStats> over(List<String> tensors) {
        if (runs == 0) {
            return Optional.empty();
        }
        double[] perRun = new double[runs];
        int measured = 0;
        for (int r = 0; r < runs; r++) {
            long z = 0;
            long n = 0;
            for (String t : tensors) {
                long[] e = elements.get(t);
                if (e != null && e[r] > 0) {
                    z += zeros.get(t)[r];
                    n += e[r];
                }
            }
            if (n > 0) {
                perRun[measured++] = (double) z / n;
            }
        }
        if (measured == 0) {
            return Optional.empty();
        }
        return Optional.of(SparsityStats.of(java.util.Arrays.copyOf(perRun, measured)));
    }
}
