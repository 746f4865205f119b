package org.sparoa.backend.sparse.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** CsrMatMul and CsrGemm with constant sparse weights against a naive product. */
class MatrixProductsTest {
    private static final WorkerTeam TEAM = new WorkerTeam(2, 100_000, null, "test");

    @AfterAll
    static void stop() {
        TEAM.close();
    }

    @ParameterizedTest(name = "{0}x{1} * {1}x{2}, sparsity {3}")
    @CsvSource({"1, 64, 40, 0.0", "3, 64, 40, 0.9", "50, 33, 17, 0.0", "50, 33, 17, 0.8", "200, 128, 96, 0.95",
            "16, 5, 3, 0.5",
            // dense weights on the vector kernels: row blocks of four with remainders, column strips with vector and
            // scalar tails, the recogniser's and the classifier's shapes
            "40, 120, 360, 0.0", "5, 7, 50, 0.0", "9, 3, 100, 0.0", "2, 200, 1000, 0.0", "40, 64, 301, 0.0",
            // large enough to be split over the threads (column strips; rows streamed when fewer than four)
            "64, 256, 600, 0.0", "3, 4096, 1100, 0.0",
            // sparse weights on the transposed CSR kernel: vector tails, two row tiles, split over threads
            "40, 120, 360, 0.9", "17, 9, 31, 0.5", "600, 64, 70, 0.7", "64, 512, 2000, 0.9",
            // a transformer's token-batched products (both transposes split over the threads in one or the other),
            // and three row tiles whose last one is not a whole number of 16-row transpose blocks
            "128, 384, 1536, 0.8", "128, 1536, 384, 0.8", "1030, 40, 33, 0.8"})
    void matMulWithConstantWeightsMatchesNaive(int m, int k, int n, double sparsity) {
        bothKernelForms(() -> checkMatMul(m, k, n, sparsity));
    }

    /** Runs {@code check} with the vector kernels, then with the plain loops. */
    static void bothKernelForms(Runnable check) {
        org.junit.jupiter.api.Assertions.assertTrue(Simd.AVAILABLE, "the vector kernels must load under surefire");
        for (boolean vector : new boolean[] {true, false}) {
            boolean was = Simd.setEnabled(vector);
            try {
                check.run();
            } catch (AssertionError e) {
                throw new AssertionError((vector ? "vector kernels: " : "plain loops: ") + e.getMessage(), e);
            } finally {
                Simd.setEnabled(was);
            }
        }
    }

    private void checkMatMul(int m, int k, int n, double sparsity) {
        Random r = new Random(m * 7 + k + n);
        float[] a = Nodes.random(r, m * k, 0.2);
        float[] b = Nodes.random(r, k * n, sparsity);
        NdArray bArr = NdArray.ofFloats(new int[] {k, n}, b);
        CsrMatMul mm = new CsrMatMul(Nodes.node("MatMul", 2), bArr, 0.2);
        assertEquals(sparsity >= 0.5, !mm.weights().isDense());
        NdArray y = mm.run(new NdArray[] {NdArray.ofFloats(new int[] {1, m, k}, a), bArr}, Nodes.onThisThread(TEAM))[0];
        assertArrayEquals(new int[] {1, m, n}, y.shape);
        Nodes.assertClose(naive(a, b, m, k, n), y.floats, 1e-4, "matmul");
        NdArray dense = new CsrMatMul(Nodes.node("MatMul", 2), null, 0.2)
                .run(new NdArray[] {NdArray.ofFloats(new int[] {m, k}, a), bArr}, Nodes.onThisThread(TEAM))[0];
        Nodes.assertClose(naive(a, b, m, k, n), dense.floats, 1e-4, "runtime matmul");
    }

    @ParameterizedTest(name = "gemm {0}x{1}x{2} transB {3} sparsity {4}")
    @CsvSource({"1, 128, 10, 1, 0.9", "20, 64, 30, 0, 0.7", "20, 64, 30, 1, 0.0", "1, 300, 100, 1, 0.0",
            "7, 33, 49, 0, 0.0"})
    void gemmWithConstantWeightsMatchesNaive(int m, int k, int n, int transB, double sparsity) {
        bothKernelForms(() -> checkGemm(m, k, n, transB, sparsity));
    }

    private void checkGemm(int m, int k, int n, int transB, double sparsity) {
        Random r = new Random(m + k * 3 + n);
        float[] a = Nodes.random(r, m * k, 0);
        float[] b = Nodes.random(r, k * n, sparsity);
        float[] c = Nodes.random(r, n, 0);
        float[] bStored = transB == 1 ? MatrixProducts.transpose(b, k, n) : b;
        NdArray bArr = NdArray.ofFloats(transB == 1 ? new int[] {n, k} : new int[] {k, n}, bStored);
        CsrGemm gemm = new CsrGemm(Nodes.node("Gemm", 3, "transB", (long) transB, "alpha", 0.5f, "beta", 2f), bArr, 0.2);
        NdArray y = gemm.run(new NdArray[] {NdArray.ofFloats(new int[] {m, k}, a), bArr,
                NdArray.ofFloats(new int[] {n}, c)}, Nodes.onThisThread(TEAM))[0];
        float[] expected = naive(a, b, m, k, n);
        for (int i = 0; i < expected.length; i++) {
            expected[i] = 0.5f * expected[i] + 2f * c[i % n];
        }
        Nodes.assertClose(expected, y.floats, 1e-4, "gemm");
    }

    static float[] naive(float[] a, float[] b, int m, int k, int n) {
        float[] y = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = 0;
                for (int q = 0; q < k; q++) {
                    acc += (double) a[i * k + q] * b[q * n + j];
                }
                y[i * n + j] = (float) acc;
            }
        }
        return y;
    }
}
