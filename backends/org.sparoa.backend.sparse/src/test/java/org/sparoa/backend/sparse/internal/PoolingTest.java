package org.sparoa.backend.sparse.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** MaxPool 2x2 stride 2 and stride 1 (their vectorised paths) against a naive loop, odd sizes and NaNs included. */
class PoolingTest {
    /** Uniform values in [-1, 1) with one NaN and one -inf at random places. */
    private static float[] input(long seed, int size) {
        Random r = new Random(seed);
        float[] x = new float[size];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() * 2 - 1;
        }
        x[r.nextInt(x.length)] = Float.NaN;
        x[r.nextInt(x.length)] = Float.NEGATIVE_INFINITY;
        return x;
    }

    @ParameterizedTest(name = "{0}x{1}x{2}x{3}")
    @CsvSource({"1, 2, 8, 8", "2, 3, 7, 9", "1, 28, 64, 64", "1, 1, 2, 2"})
    void maxPool2x2Stride2MatchesNaive(int n, int c, int h, int w) {
        float[] x = input(n * 31 + c * 7 + h + w, n * c * h * w);
        Pooling pool = new Pooling(Nodes.node("MaxPool", 1, "kernel_shape", new long[] {2, 2}, "strides",
                new long[] {2, 2}), true);
        NdArray y = pool.run(new NdArray[] {NdArray.ofFloats(new int[] {n, c, h, w}, x)}, Parallel.sequential())[0];
        int oh = h / 2;
        int ow = w / 2;
        assertArrayEquals(new int[] {n, c, oh, ow}, y.shape);
        for (int p = 0; p < n * c; p++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    float best = Float.NEGATIVE_INFINITY;
                    boolean nan = false;
                    for (int ky = 0; ky < 2; ky++) {
                        for (int kx = 0; kx < 2; kx++) {
                            float v = x[(p * h + 2 * oy + ky) * w + 2 * ox + kx];
                            nan |= Float.isNaN(v);
                            best = Math.max(best, v);
                        }
                    }
                    assertEquals(nan ? Float.NaN : best, y.floats[(p * oh + oy) * ow + ox], 0f,
                            "plane " + p + " at " + oy + "," + ox);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}x{1}x{2}x{3} k{4}x{5} pads {6},{7},{8},{9}")
    @CsvSource({
            "1, 1, 160, 160, 3, 3, 1, 1, 1, 1",
            "2, 3, 9, 37, 3, 3, 1, 1, 1, 1",
            "1, 2, 8, 8, 3, 3, 0, 0, 0, 0",
            "1, 2, 7, 19, 5, 3, 2, 1, 2, 1",
            "1, 1, 6, 6, 2, 2, 1, 0, 0, 1",
            "1, 1, 4, 5, 1, 3, 0, 1, 0, 1"
    })
    void maxPoolStrideOneMatchesNaive(int n, int c, int h, int w, int kh, int kw, int pt, int pl, int pb, int pr) {
        float[] x = input(n * 31 + c * 7 + h + w + kh, n * c * h * w);
        Pooling pool = new Pooling(Nodes.node("MaxPool", 1, "kernel_shape", new long[] {kh, kw}, "strides",
                new long[] {1, 1}, "pads", new long[] {pt, pl, pb, pr}), true);
        WorkerTeam team = new WorkerTeam(2, 100_000, null, "test");
        NdArray y;
        try {
            y = pool.run(new NdArray[] {NdArray.ofFloats(new int[] {n, c, h, w}, x)}, Nodes.onThisThread(team))[0];
        } finally {
            team.close();
        }
        int oh = h + pt + pb - kh + 1;
        int ow = w + pl + pr - kw + 1;
        assertArrayEquals(new int[] {n, c, oh, ow}, y.shape);
        for (int p = 0; p < n * c; p++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    float best = Float.NEGATIVE_INFINITY;
                    boolean nan = false;
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            int iy = oy - pt + ky;
                            int ix = ox - pl + kx;
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                float v = x[(p * h + iy) * w + ix];
                                nan |= Float.isNaN(v);
                                best = Math.max(best, v);
                            }
                        }
                    }
                    assertEquals(nan ? Float.NaN : best, y.floats[(p * oh + oy) * ow + ox], 0f,
                            "plane " + p + " at " + oy + "," + ox);
                }
            }
        }
    }
}
