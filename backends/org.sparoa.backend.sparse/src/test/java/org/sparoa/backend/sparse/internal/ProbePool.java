package org.sparoa.backend.sparse.internal;

import java.util.Random;

/** scratch */
public final class ProbePool {
    public static void main(String[] args) {
        Pooling k = new Pooling(Nodes.node("MaxPool", 1, "kernel_shape", new long[] {2, 2}, "strides", new long[] {2, 2}, "pads", new long[] {0, 0, 0, 0}), true);
        float[] x = new float[28 * 64 * 64];
        Random r = new Random(1);
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
        NdArray[] in = {NdArray.ofFloats(new int[] {1, 28, 64, 64}, x)};
        Parallel p = Parallel.sequential();
        for (int round = 0; round < 5; round++) {
            long best = Long.MAX_VALUE;
            for (int i = 0; i < 2000; i++) { long t0 = System.nanoTime(); k.run(in, p); best = Math.min(best, System.nanoTime() - t0); }
            System.out.printf("maxpool best %.4f ms%n", best / 1e6);
        }
    }
}
