package org.sparoa.backend.sparse.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparoa.api.Node;

/** CsrConv2d against a naive direct convolution, with constant (packed) weights at several sparsities. */
class CsrConv2dTest {
    private static final WorkerTeam TEAM = new WorkerTeam(3, 100_000, null, "test");

    @AfterAll
    static void stop() {
        TEAM.close();
    }

    @ParameterizedTest(name = "n{0} c{1} m{2} {3}x{4} k{5} s{6} p{7} d{8} g{9} sparsity {10}")
    @CsvSource({
            "1, 16, 24, 9, 11, 1, 1, 0, 1, 1, 0.0",
            "1, 16, 24, 9, 11, 1, 1, 0, 1, 1, 0.9",
            "2, 32, 32, 40, 40, 1, 1, 0, 1, 1, 0.95",
            "1, 8, 12, 13, 10, 3, 1, 1, 1, 1, 0.0",
            "1, 8, 12, 13, 10, 3, 1, 1, 1, 1, 0.7",
            "1, 8, 12, 13, 10, 3, 2, 1, 1, 1, 0.5",
            "2, 6, 4, 12, 9, 3, 2, 2, 2, 2, 0.3",
            "1, 16, 16, 15, 15, 3, 1, 1, 1, 16, 0.0",
            "1, 16, 16, 15, 15, 3, 2, 1, 1, 16, 0.5",
            "1, 4, 6, 20, 20, 5, 3, 0, 1, 1, 0.8",
            "1, 3, 8, 70, 70, 3, 2, 1, 1, 1, 0.0",
            // dense weights, four output channels at a time: channel counts and thread splits that leave remainders
            "1, 5, 7, 6, 6, 3, 1, 1, 1, 1, 0.0",
            "1, 10, 30, 8, 8, 1, 1, 0, 1, 1, 0.0",
            "1, 12, 18, 7, 7, 3, 1, 1, 1, 2, 0.1",
            "2, 9, 13, 33, 35, 3, 1, 1, 1, 1, 0.0",
            // depthwise, computed directly: dilation, batch of two, 5x5 stride 2 with zero taps, padding wider than taps
            "2, 8, 8, 11, 13, 3, 1, 1, 2, 8, 0.0",
            "1, 6, 6, 9, 10, 5, 2, 2, 1, 6, 0.6",
            "1, 4, 4, 5, 6, 3, 1, 3, 1, 4, 0.0",
            // vector kernels: stride-1 windows on the padded input (several output rows per task, dilation, a 1x1
            // with padding), row blocks of four with remainders, pointwise tiles split evenly over the threads with
            // pixel counts that leave vector and scalar tails, depthwise rows wider than four vectors
            "1, 8, 20, 30, 30, 3, 1, 1, 1, 1, 0.0",
            "1, 8, 20, 30, 30, 3, 1, 1, 1, 1, 0.9",
            "1, 7, 13, 17, 23, 3, 1, 2, 2, 1, 0.0",
            "1, 7, 13, 17, 23, 3, 1, 2, 2, 1, 0.6",
            "2, 6, 9, 10, 19, 1, 1, 1, 1, 1, 0.0",
            "1, 10, 14, 21, 9, 5, 1, 2, 1, 2, 0.95",
            "1, 33, 30, 13, 11, 1, 1, 0, 1, 1, 0.0",
            "1, 33, 30, 13, 11, 1, 1, 0, 1, 1, 0.9",
            "1, 64, 70, 28, 28, 1, 1, 0, 1, 1, 0.95",
            "3, 16, 21, 60, 60, 1, 1, 0, 1, 1, 0.8",
            "1, 5, 5, 20, 70, 5, 1, 2, 1, 5, 0.5",
            "1, 3, 3, 9, 67, 3, 1, 1, 3, 3, 0.0",
            // strides > 1 on the phase-plane (shifted) vector path: even/odd sizes, dilation, groups, sparse
            "1, 3, 8, 17, 20, 5, 2, 2, 1, 1, 0.0",
            "2, 4, 6, 19, 15, 3, 3, 1, 2, 1, 0.7",
            "1, 8, 8, 16, 16, 3, 2, 1, 1, 2, 0.9",
            "1, 5, 7, 32, 33, 1, 2, 0, 1, 1, 0.5",
            // depthwise with column stride 2 and 3 (column phase planes), odd widths, dilation
            "1, 24, 24, 64, 64, 3, 2, 1, 1, 24, 0.0",
            "1, 6, 6, 21, 37, 3, 3, 1, 2, 6, 0.5"
    })
    void matchesNaiveConvolution(int n, int c, int m, int h, int w, int k, int s, int p, int d, int g, double sparsity) {
        assertTrue(Simd.AVAILABLE, "surefire runs with --add-modules jdk.incubator.vector: the vector kernels must load");
        for (boolean vector : new boolean[] {true, false}) {
            boolean was = Simd.setEnabled(vector);
            try {
                checkConvolution(n, c, m, h, w, k, s, p, d, g, sparsity);
            } catch (AssertionError e) {
                throw new AssertionError((vector ? "vector kernels: " : "plain loops: ") + e.getMessage(), e);
            } finally {
                Simd.setEnabled(was);
            }
        }
    }

    private void checkConvolution(int n, int c, int m, int h, int w, int k, int s, int p, int d, int g, double sparsity) {
        Random r = new Random(n * 1000 + c * 31 + k + s + (long) (sparsity * 100));
        float[] x = Nodes.random(r, n * c * h * w, 0.3);
        float[] wt = Nodes.random(r, m * (c / g) * k * k, sparsity);
        float[] b = Nodes.random(r, m, 0);
        Node node = Nodes.node("Conv", 3, "group", (long) g, "strides", new long[] {s, s},
                "pads", new long[] {p, p, p, p}, "dilations", new long[] {d, d});
        NdArray weights = NdArray.ofFloats(new int[] {m, c / g, k, k}, wt);
        CsrConv2d conv = new CsrConv2d(node, weights, 0.2); // CSR from 20 % zeros: every case from 50 % runs the CSR kernels
        assertEquals(sparsity >= 0.5, !conv.weights().isDense(), "storage format of " + conv.weights());
        // twice: a second call reuses the per-thread buffers left by the first
        conv.run(new NdArray[] {NdArray.ofFloats(new int[] {n, c, h, w}, x), weights,
                NdArray.ofFloats(new int[] {m}, b)}, Nodes.onThisThread(TEAM));
        NdArray out = conv.run(new NdArray[] {NdArray.ofFloats(new int[] {n, c, h, w}, x), weights,
                NdArray.ofFloats(new int[] {m}, b)}, Nodes.onThisThread(TEAM))[0];
        int oh = (h + 2 * p - (d * (k - 1) + 1)) / s + 1;
        int ow = (w + 2 * p - (d * (k - 1) + 1)) / s + 1;
        assertEquals(java.util.List.of(n, m, oh, ow), java.util.Arrays.stream(out.shape).boxed().toList());
        Nodes.assertClose(naive(x, wt, b, n, c, h, w, m, k, s, p, d, g, oh, ow), out.floats, 1e-4, "conv");
    }

    /**
     * {@code kernel_shape} is optional in ONNX: without it a 1x1 and a depthwise convolution are still told apart from
     * a windowed one by their weights, as the run tells them apart, so each warms its own loop.
     */
    @Test
    void warmUpKindComesFromTheWeightsWhenKernelShapeIsAbsent() {
        NdArray pointwiseWeights = NdArray.ofFloats(new int[] {8, 4, 1, 1}, new float[32]);
        NdArray depthwiseWeights = NdArray.ofFloats(new int[] {4, 1, 3, 3}, new float[36]);
        NdArray windowWeights = NdArray.ofFloats(new int[] {8, 4, 3, 3}, new float[288]);
        String pointwise = new CsrConv2d(Nodes.node("Conv", 2), pointwiseWeights, 0.2).warmupKind();
        String depthwise = new CsrConv2d(Nodes.node("Conv", 2, "group", 4L, "pads", new long[] {1, 1, 1, 1}),
                depthwiseWeights, 0.2).warmupKind();
        String window = new CsrConv2d(Nodes.node("Conv", 2, "pads", new long[] {1, 1, 1, 1}), windowWeights, 0.2)
                .warmupKind();
        assertTrue(pointwise.startsWith("CsrConv2d:pointwise:"), pointwise);
        assertTrue(depthwise.startsWith("CsrConv2d:depthwise:"), depthwise);
        assertTrue(window.startsWith("CsrConv2d:window:"), window);
        assertEquals(window, new CsrConv2d(Nodes.node("Conv", 2, "kernel_shape", new long[] {3, 3}, "pads",
                new long[] {1, 1, 1, 1}), windowWeights, 0.2).warmupKind(), "with kernel_shape given");
    }

    @Test
    void asymmetricPaddingOnThePaddedInputPath() {
        Random r = new Random(11);
        int c = 5;
        int m = 6;
        int h = 9;
        int wd = 14;
        float[] x = Nodes.random(r, c * h * wd, 0);
        for (double sparsity : new double[] {0.0, 0.9}) {
            float[] wt = Nodes.random(r, m * c * 3 * 3, sparsity);
            // pads top 0, left 2, bottom 1, right 0: output 8 x 14
            Node node = Nodes.node("Conv", 2, "pads", new long[] {0, 2, 1, 0});
            NdArray weights = NdArray.ofFloats(new int[] {m, c, 3, 3}, wt);
            for (boolean vector : new boolean[] {true, false}) {
                boolean was = Simd.setEnabled(vector);
                try {
                    NdArray out = new CsrConv2d(node, weights, 0.2).run(new NdArray[] {
                            NdArray.ofFloats(new int[] {1, c, h, wd}, x), weights}, Nodes.onThisThread(TEAM))[0];
                    assertEquals(java.util.List.of(1, m, 8, 14), java.util.Arrays.stream(out.shape).boxed().toList());
                    float[] want = new float[m * 8 * 14];
                    for (int o = 0; o < m; o++) {
                        for (int oy = 0; oy < 8; oy++) {
                            for (int ox = 0; ox < 14; ox++) {
                                double acc = 0;
                                for (int ic = 0; ic < c; ic++) {
                                    for (int ky = 0; ky < 3; ky++) {
                                        for (int kx = 0; kx < 3; kx++) {
                                            int iy = oy + ky;
                                            int ix = ox + kx - 2;
                                            if (iy < h && ix >= 0 && ix < wd) {
                                                acc += (double) wt[((o * c + ic) * 3 + ky) * 3 + kx] * x[(ic * h + iy) * wd + ix];
                                            }
                                        }
                                    }
                                }
                                want[(o * 8 + oy) * 14 + ox] = (float) acc;
                            }
                        }
                    }
                    Nodes.assertClose(want, out.floats, 1e-4, (vector ? "vector " : "plain ") + sparsity);
                } finally {
                    Simd.setEnabled(was);
                }
            }
        }
    }

    @Test
    void runtimeWeightsArePackedPerCall() {
        Random r = new Random(7);
        float[] x = Nodes.random(r, 2 * 5 * 5, 0);
        float[] wt = Nodes.random(r, 3 * 2 * 3 * 3, 0.6);
        Node node = Nodes.node("Conv", 2, "pads", new long[] {1, 1, 1, 1});
        CsrConv2d conv = new CsrConv2d(node, null, 0.2);
        NdArray out = conv.run(new NdArray[] {NdArray.ofFloats(new int[] {1, 2, 5, 5}, x),
                NdArray.ofFloats(new int[] {3, 2, 3, 3}, wt)}, Parallel.sequential())[0];
        Nodes.assertClose(naive(x, wt, null, 1, 2, 5, 5, 3, 3, 1, 1, 1, 1, 5, 5), out.floats, 1e-5, "conv");
    }

    @Test
    void channelMismatchIsNamed() {
        Node node = Nodes.node("Conv", 2);
        CsrConv2d conv = new CsrConv2d(node, null, 0.2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> conv.run(new NdArray[] {
                NdArray.ofFloats(new int[] {1, 3, 4, 4}, new float[48]),
                NdArray.ofFloats(new int[] {2, 2, 1, 1}, new float[] {1, 2, 3, 4})}, Parallel.sequential()));
        assertTrue(e.getMessage().contains("3 channels"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    static float[] naive(float[] x, float[] w, float[] b, int n, int c, int h, int wd, int m, int k, int s, int p,
                         int d, int g, int oh, int ow) {
        int cg = c / g;
        int mg = m / g;
        float[] y = new float[n * m * oh * ow];
        for (int img = 0; img < n; img++) {
            for (int o = 0; o < m; o++) {
                int grp = o / mg;
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double acc = b == null ? 0 : b[o];
                        for (int ic = 0; ic < cg; ic++) {
                            for (int ky = 0; ky < k; ky++) {
                                for (int kx = 0; kx < k; kx++) {
                                    int iy = oy * s - p + ky * d;
                                    int ix = ox * s - p + kx * d;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < wd) {
                                        acc += (double) w[((o * cg + ic) * k + ky) * k + kx]
                                                * x[((img * c + grp * cg + ic) * h + iy) * wd + ix];
                                    }
                                }
                            }
                        }
                        y[((img * m + o) * oh + oy) * ow + ox] = (float) acc;
                    }
                }
            }
        }
        return y;
    }
}
