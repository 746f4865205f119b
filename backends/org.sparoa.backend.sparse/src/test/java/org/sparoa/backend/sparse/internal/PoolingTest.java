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
        assertArrayEquals(new int[] {n, c, h / 2, w / 2}, y.shape);
        assertMatchesNaive(x, n * c, h, w, 2, 2, 2, 0, 0, y);
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
        assertArrayEquals(new int[] {n, c, h + pt + pb - kh + 1, w + pl + pr - kw + 1}, y.shape);
        assertMatchesNaive(x, n * c, h, w, kh, kw, 1, pt, pl, y);
    }

    @ParameterizedTest(name = "{0}x{1}x{2}x{3} k{4}x{5} s{6}x{7} pads {8} ceil {9} include {10}")
    @CsvSource({
            "1, 48, 3, 80, 3, 2, 3, 2, 0, 0, 0",   // PP-OCRv4 rec's AveragePool
            "2, 3, 9, 11, 3, 3, 2, 2, 1, 0, 0",
            "2, 3, 9, 11, 3, 3, 2, 2, 1, 0, 1",
            "1, 2, 7, 7, 2, 2, 2, 2, 0, 1, 0",
            "1, 2, 8, 6, 3, 1, 1, 1, 1, 0, 1"
    })
    void averagePool2dMatchesNaive(int n, int c, int h, int w, int kh, int kw, int sh, int sw, int pad, int ceil,
                                   int includePad) {
        Random r = new Random(h * 13 + w + kh);
        float[] x = new float[n * c * h * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() * 4 - 2;
        }
        Pooling pool = new Pooling(Nodes.node("AveragePool", 1, "kernel_shape", new long[] {kh, kw}, "strides",
                new long[] {sh, sw}, "pads", new long[] {pad, pad, pad, pad}, "ceil_mode", (long) ceil,
                "count_include_pad", (long) includePad), false);
        NdArray y = pool.run(new NdArray[] {NdArray.ofFloats(new int[] {n, c, h, w}, x)}, Parallel.sequential())[0];
        int oh = y.shape[2];
        int ow = y.shape[3];
        for (int p = 0; p < n * c; p++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    double sum = 0;
                    int valid = 0;
                    int padded = 0;
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            int iy = oy * sh - pad + ky;
                            int ix = ox * sw - pad + kx;
                            if (iy >= -pad && iy < h + pad && ix >= -pad && ix < w + pad) {
                                padded++;
                            }
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                sum += x[(p * h + iy) * w + ix];
                                valid++;
                            }
                        }
                    }
                    int count = includePad == 1 ? padded : valid;
                    assertEquals((float) (sum / count), y.floats[(p * oh + oy) * ow + ox], 1e-6f,
                            "plane " + p + " at " + oy + "," + ox);
                }
            }
        }
    }

    /**
     * Every output of {@code y} (shape {@code planes x oh x ow}) against the window walked tap by tap: padding taps
     * skipped, a NaN in the window wins.
     */
    private static void assertMatchesNaive(float[] x, int planes, int h, int w, int kh, int kw, int stride, int pt,
                                           int pl, NdArray y) {
        int oh = y.shape[2];
        int ow = y.shape[3];
        for (int p = 0; p < planes; p++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    float best = Float.NEGATIVE_INFINITY;
                    boolean nan = false;
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            int iy = oy * stride - pt + ky;
                            int ix = ox * stride - pl + kx;
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
