package org.sparoa.backend.sparse.internal;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import org.sparoa.api.Node;

/**
 * The kernels of a transformer layer that {@code sparse-cpu} runs, timed alone at the shapes of all-MiniLM-L6-v2 at
 * 128 tokens: its attention Softmax (1 x 12 x 128 x 128 over the last axis, one thread) and its three weight products
 * (128 x 384 by 384 x 384, 384 x 1536 and 1536 x 384) on the CSR path at a given sparsity (unstructured, seeded),
 * with a team of two threads. Each figure is the fastest of 10 rounds of 200 calls (after 5 rounds). For kernel
 * changes timed on two builds' class paths, one JVM after the other.
 *
 * <p>Run from the repository root (modules installed): {@code mvn -B -o -q -pl backends/org.sparoa.backend.sparse
 * test-compile exec:exec -Dbench.main=org.sparoa.backend.sparse.internal.AttentionKernelTimes
 * -Dbench.args="[SPARSITY]"} (default 0.8).
 */
public final class AttentionKernelTimes {
    private AttentionKernelTimes() {
    }

    private static double fastest(Runnable body) {
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 15; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 200; i++) {
                body.run();
            }
            double ms = (System.nanoTime() - t0) / 1e6 / 200;
            if (round >= 5) {
                best = Math.min(best, ms);
            }
        }
        return best;
    }

    public static void main(String[] args) {
        double sparsity = args.length > 0 ? Double.parseDouble(args[0]) : 0.8;
        Random r = new Random(1);
        int tokens = 128;
        float[] scores = new float[12 * tokens * tokens];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = (float) (r.nextGaussian() * 4);
        }
        Softmax softmax = new Softmax(new Node("s", "Softmax", "", List.of("x"), List.of("y"), Map.of()), 13);
        NdArray[] in = {NdArray.ofFloats(new int[] {1, 12, tokens, tokens}, scores)};
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "Softmax 1x12x%dx%d (1 thread) %.3f ms",
                tokens, tokens, fastest(() -> softmax.run(in, Parallel.sequential()))));
        WorkerTeam team = new WorkerTeam(2, 100_000, Thread.currentThread(), "times");
        Parallel parallel = new Parallel(team);
        FloatArrayPool pool = new FloatArrayPool(FloatArrayPool.DEFAULT_MAX_RETAINED_FLOATS);
        for (int[] kn : new int[][] {{384, 384}, {384, 1536}, {1536, 384}}) {
            int k = kn[0];
            int n = kn[1];
            float[] w = new float[k * n];
            for (int i = 0; i < w.length; i++) {
                w[i] = r.nextDouble() < sparsity ? 0f : (float) r.nextGaussian();
            }
            float[] x = new float[tokens * k];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            CsrMatrix bt = CsrMatrix.packTransposed(w, 0, k, n, 0.6);
            double ms = fastest(() -> {
                FloatArrayPool.Lease lease = new FloatArrayPool.Lease(pool);
                lease.recycle(MatrixProducts.multiplyByCsr(x, tokens, k, bt, parallel, lease));
            });
            line.append(String.format(Locale.ROOT, " | %dx%d by %dx%d (2 threads) %.3f ms", tokens, k, k, n, ms));
        }
        System.out.println(line.append(String.format(Locale.ROOT, " | sparsity %.2f, vector API %s", sparsity,
                Simd.enabled() ? "on" : "off")));
        team.close();
    }
}
