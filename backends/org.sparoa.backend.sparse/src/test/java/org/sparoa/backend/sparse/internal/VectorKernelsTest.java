package org.sparoa.backend.sparse.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The register-blocked kernels on their own against naive loops, over many shapes: every remainder of the four-row
 * blocks and of the three-, eight- and one-vector column blocks, offsets into the arrays, an empty reduction, rows
 * without non-zeros, and that nothing outside the output block is written.
 */
class VectorKernelsTest {
    @Test
    void vectorApiIsAvailableUnderSurefire() {
        assertTrue(Simd.AVAILABLE, "surefire passes --add-modules jdk.incubator.vector");
        assertTrue(VectorKernels.L >= 4);
    }

    @Test
    void denseRowsMatchNaive() {
        Random r = new Random(5);
        int l = VectorKernels.L;
        int[] lens = {1, l - 1, l, l + 3, 3 * l, 3 * l + 1, 4 * l + 5, 7 * l - 1, 10 * l + 7};
        for (int rows = 1; rows <= 9; rows++) {
            for (int kdim : new int[] {0, 1, 5, 37}) {
                for (int len : lens) {
                    int lda = kdim + 3;
                    int ldb = len + 2;
                    int ldo = len + 5;
                    float[] a = Nodes.random(r, 2 + rows * lda, 0.1);
                    float[] b = Nodes.random(r, 1 + Math.max(1, kdim) * ldb, 0.1);
                    float[] bias = r.nextBoolean() ? Nodes.random(r, rows + 1, 0) : null;
                    float[] out = new float[4 + rows * ldo];
                    Arrays.fill(out, Float.NaN);
                    VectorKernels.denseRows(a, 2, lda, rows, kdim, b, 1, ldb, len, out, 4, ldo, bias, 1);
                    for (int i = 0; i < rows; i++) {
                        for (int j = 0; j < ldo; j++) {
                            float got = out[4 + i * ldo + j];
                            if (j >= len) {
                                assertTrue(Float.isNaN(got), "wrote outside the block at row " + i + " column " + j);
                                continue;
                            }
                            double want = bias == null ? 0 : bias[1 + i];
                            for (int k = 0; k < kdim; k++) {
                                want += (double) a[2 + i * lda + k] * b[1 + k * ldb + j];
                            }
                            assertEquals(want, got, 1e-4 * Math.max(1, Math.abs(want)),
                                    "rows " + rows + " k " + kdim + " len " + len + " at " + i + "," + j);
                        }
                    }
                }
            }
        }
    }

    @Test
    void csrRowsMatchNaive() {
        Random r = new Random(6);
        int l = VectorKernels.L;
        int[] lens = {1, l - 1, l, 2 * l + 3, 8 * l, 8 * l + l + 1, 16 * l, 17 * l + 5, 31 * l + 3};
        for (double sparsity : new double[] {0.0, 0.5, 0.9, 0.95, 1.0}) {
            for (int kdim : new int[] {1, 6, 40}) {
                for (int len : lens) {
                    int rows = 7;
                    float[] w = new float[rows * kdim];
                    for (int i = 0; i < w.length; i++) {
                        w[i] = r.nextDouble() < sparsity ? 0f : r.nextFloat() * 2 - 1;
                    }
                    Arrays.fill(w, 2 * kdim, 3 * kdim, 0f); // a row without non-zeros
                    CsrMatrix csr = CsrMatrix.pack(w, 0, rows, kdim, -1); // always CSR
                    int ldb = len + 3;
                    int ldo = len + 1;
                    float[] b = Nodes.random(r, 2 + kdim * ldb, 0.1);
                    float[] bias = Nodes.random(r, rows, 0);
                    float[] out = new float[rows * ldo];
                    Arrays.fill(out, Float.NaN);
                    VectorKernels.csrRows(csr.rowStart, csr.scaledColumns(ldb), csr.values, 1, rows, b, 2, len, out,
                            0, ldo, bias);
                    for (int i = 0; i < rows; i++) {
                        for (int j = 0; j < ldo; j++) {
                            float got = out[i * ldo + j];
                            if (i == 0 || j >= len) {
                                assertTrue(Float.isNaN(got), "wrote outside rows [1, 7) at " + i + "," + j);
                                continue;
                            }
                            double want = bias[i];
                            for (int k = 0; k < kdim; k++) {
                                want += (double) w[i * kdim + k] * b[2 + k * ldb + j];
                            }
                            assertEquals(want, got, 1e-4 * Math.max(1, Math.abs(want)),
                                    "sparsity " + sparsity + " k " + kdim + " len " + len + " at " + i + "," + j);
                        }
                    }
                }
            }
        }
    }
}
