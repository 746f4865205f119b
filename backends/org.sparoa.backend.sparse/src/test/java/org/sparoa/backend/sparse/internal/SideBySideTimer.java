package org.sparoa.backend.sparse.internal;

import java.util.Arrays;

/** Warm-up and alternating A/B timing, as BENCHMARKS.md asks. Times are in seconds. */
final class SideBySideTimer {
    private SideBySideTimer() {
    }

    /** Runs A and B alternately for at least {@code seconds} (and 5 rounds); returns their last single times. */
    static double[] warmUp(Runnable a, Runnable b, double seconds) {
        return warmUp(a, b, seconds, 5, seconds);
    }

    /**
     * Runs A and B alternately for at least {@code minSeconds} and at least {@code minRounds} rounds, but stops
     * adding rounds after {@code maxSeconds}; returns their last single times. The Vector API kernels run orders of
     * magnitude slower until C2 has compiled them (a few hundred calls), so a fixed 0.4 s is too short for the fast
     * ones: 1x1 256->256 dense measured 3.2 ms after 0.4 s, 0.99 ms after 3 s; the tail kernels of a small product
     * (called a few times per run) are the last to be compiled.
     */
    static double[] warmUp(Runnable a, Runnable b, double minSeconds, int minRounds, double maxSeconds) {
        long start = System.nanoTime();
        long min = start + (long) (minSeconds * 1e9);
        long max = start + (long) (maxSeconds * 1e9);
        double ta = 0;
        double tb = 0;
        for (int i = 0; i < 5 || System.nanoTime() < min || (i < minRounds && System.nanoTime() < max); i++) {
            ta = time(a);
            tb = time(b);
        }
        return new double[] {ta, tb};
    }

    /** A B, B A, A B, ... so that drifts in machine load hit both alike. */
    static double[][] alternate(Runnable a, Runnable b, int iterations) {
        double[] ta = new double[iterations];
        double[] tb = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            if (i % 2 == 0) {
                ta[i] = time(a);
                tb[i] = time(b);
            } else {
                tb[i] = time(b);
                ta[i] = time(a);
            }
        }
        return new double[][] {ta, tb};
    }

    /**
     * Blocks of A and B in alternating order (A B, B A, ...): each block runs its side {@code settle} times untimed,
     * then {@code perBlock} times timed. Each side's steady latency, as when it serves a model by itself, still
     * interleaved so that drifts in machine load hit both alike: with single alternating runs, the spin-waiting
     * threads one side leaves behind (ONNX Runtime's, sparse-cpu's) slow the first run of the other.
     */
    static double[][] alternateBlocks(Runnable a, Runnable b, int blocks, int perBlock, int settle) {
        double[] ta = new double[blocks * perBlock];
        double[] tb = new double[blocks * perBlock];
        for (int i = 0; i < blocks; i++) {
            for (int side = 0; side < 2; side++) {
                boolean first = (side == 0) == (i % 2 == 0);
                Runnable r = first ? a : b;
                double[] t = first ? ta : tb;
                // untimed: at least settle runs and 40 ms (ONNX Runtime's threads spin for tens of ms after a run)
                long settleEnd = System.nanoTime() + 40_000_000L;
                for (int k = 0; k < settle || System.nanoTime() < settleEnd; k++) {
                    r.run();
                }
                for (int k = 0; k < perBlock; k++) {
                    t[i * perBlock + k] = time(r);
                }
            }
        }
        return new double[][] {ta, tb};
    }

    static double time(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    static double quantile(double[] v, double q) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.floor(q * (s.length - 1) + 0.5))];
    }
}
