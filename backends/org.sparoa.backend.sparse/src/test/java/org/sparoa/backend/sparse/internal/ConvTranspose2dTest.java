package org.sparoa.backend.sparse.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparoa.api.Node;

/** ConvTranspose2d against a naive scatter, for the stride-equals-kernel path and the general one. */
class ConvTranspose2dTest {
    private static final WorkerTeam TEAM = new WorkerTeam(3, 100_000, null, "test");

    @AfterAll
    static void stop() {
        TEAM.close();
    }

    @ParameterizedTest(name = "n{0} c{1} m{2} {3}x{4} k{5} s{6} pads {7} out_pad {8} sparsity {9}")
    @CsvSource({
            "1, 8, 6, 5, 7, 2, 2, 0, 0, 0.0",
            "2, 7, 5, 4, 6, 2, 2, 0, 0, 0.5",
            "1, 5, 9, 6, 5, 3, 3, 1, 1, 0.3",
            "1, 6, 4, 5, 5, 2, 2, 1, 0, 0.0",
            // a detection head: one output channel, rows wider than a vector, two images
            "2, 24, 1, 9, 37, 2, 2, 0, 0, 0.8",
            "1, 24, 3, 6, 40, 2, 2, 0, 1, 0.8",
            // general scatter path (windows overlap)
            "1, 4, 3, 5, 6, 3, 2, 1, 1, 0.2"
    })
    void matchesNaiveScatter(int n, int c, int m, int h, int w, int k, int s, int pad, int outPad, double sparsity) {
        Random r = new Random(c * 100 + m * 10 + k + s);
        float[] x = Nodes.random(r, n * c * h * w, 0.2);
        float[] wt = Nodes.random(r, c * m * k * k, sparsity);
        float[] b = Nodes.random(r, m, 0);
        Node node = Nodes.node("ConvTranspose", 3, "strides", new long[] {s, s}, "pads", new long[] {pad, pad, pad, pad},
                "output_padding", new long[] {outPad, outPad});
        int oh = s * (h - 1) + outPad + k - 2 * pad;
        int ow = s * (w - 1) + outPad + k - 2 * pad;
        float[] expected = new float[n * m * oh * ow];
        for (int img = 0; img < n; img++) {
            for (int o = 0; o < m; o++) {
                for (int i = 0; i < oh * ow; i++) {
                    expected[(img * m + o) * oh * ow + i] = b[o];
                }
                for (int ic = 0; ic < c; ic++) {
                    for (int iy = 0; iy < h; iy++) {
                        for (int ix = 0; ix < w; ix++) {
                            for (int ky = 0; ky < k; ky++) {
                                for (int kx = 0; kx < k; kx++) {
                                    int oy = iy * s + ky - pad;
                                    int ox = ix * s + kx - pad;
                                    if (oy >= 0 && oy < oh && ox >= 0 && ox < ow) {
                                        expected[((img * m + o) * oh + oy) * ow + ox] += x[((img * c + ic) * h + iy) * w + ix]
                                                * wt[((ic * m + o) * k + ky) * k + kx];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // with the vector kernels and with the plain loops of a JVM without the Vector API
        for (boolean vectors : new boolean[] {true, false}) {
            boolean was = Simd.setEnabled(vectors);
            try {
                NdArray out = new ConvTranspose2d(node).run(new NdArray[] {NdArray.ofFloats(new int[] {n, c, h, w}, x),
                        NdArray.ofFloats(new int[] {c, m, k, k}, wt), NdArray.ofFloats(new int[] {m}, b)},
                        Nodes.onThisThread(TEAM))[0];
                assertArrayEquals(new int[] {n, m, oh, ow}, out.shape);
                Nodes.assertClose(expected, out.floats, 1e-4, "convtranspose, vectors " + vectors);
            } finally {
                Simd.setEnabled(was);
            }
        }
    }
}
