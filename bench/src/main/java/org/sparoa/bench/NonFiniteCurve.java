package org.sparoa.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

import org.sparoa.api.NonFinite;
import org.sparoa.api.Tensor;

/**
 * The engine's NaN/Inf check of an input from a fresh JVM on: {@link NonFinite#firstIndex} on a 1x128x128x3 float
 * tensor (BlazeFace front's input, 196 KB) called again and again, the median of each block of 250 calls, so that
 * the curve shows when the JIT's code for it settles. Run it in a JVM of its own; the versions compared in
 * docs/performance.md are this project's history (git).
 *
 * <p>Arguments: {@code [blocks]}, default 20.
 */
public final class NonFiniteCurve {
    private NonFiniteCurve() {
    }

    public static void main(String[] args) {
        int blocks = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        float[] v = new float[128 * 128 * 3];
        Random random = new Random(42);
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextFloat() * 2 - 1;
        }
        Tensor t = Tensor.ofFloats(new long[] {1, 128, 128, 3}, v);
        long found = 0;
        StringBuilder curve = new StringBuilder();
        for (int b = 0; b < blocks; b++) {
            long[] times = new long[250];
            for (int i = 0; i < times.length; i++) {
                long t0 = System.nanoTime();
                found += NonFinite.firstIndex(t);
                times[i] = System.nanoTime() - t0;
            }
            Arrays.sort(times);
            curve.append(String.format(Locale.ROOT, " %.1f", times[times.length / 2] / 1e3));
        }
        if (found != -blocks * 250L) {
            throw new IllegalStateException("a finite tensor was reported non-finite");
        }
        System.out.println("p50 per block of 250 calls, us:" + curve);
    }
}
