package org.sparoa.backend.sparse.internal;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Register-blocked inner loops on the Vector API (portable: the preferred species is 512-bit on AVX-512, 256-bit on
 * AVX2, 128-bit on NEON). Every loop keeps a tile of output vectors in registers across the whole reduction and
 * writes it once, where the plain-loop kernels ({@link SparseRowKernel}) load and store the accumulator row for
 * every four weights. Only used when {@link Simd#enabled()}; nothing here may be touched otherwise (the class does
 * not load without {@code jdk.incubator.vector}).
 *
 * <p>The species is a {@code static final} constant and the kernels are plain static methods: C2 only turns
 * vector operations into instructions when the species is a compile-time constant (a species captured in a lambda
 * measured 10x slower).
 */
final class VectorKernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /**
     * Whether CSR rows take blocks of sixteen vectors: sixteen accumulators, a broadcast and a load need the 32
     * vector registers of AVX-512 (a 512-bit species); AVX2's 16 would spill.
     */
    private static final boolean SIXTEEN_BLOCKS = L >= 16;
    /** Blocks of eight rows by three vectors (24 accumulators) where the register file has room (32 vectors). */
    static final boolean EIGHT_ROWS = !"false".equals(System.getProperty("sparoa.sparse.eightRows"));

    private VectorKernels() {
    }

    static boolean selfTest() {
        if (L < 4) {
            return false;
        }
        float[] a = {1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f};
        float[] b = new float[2 * (L + 3)];
        for (int i = 0; i < b.length; i++) {
            b[i] = i;
        }
        float[] out = new float[4 * (L + 3)];
        // 4 x 2 times 2 x (L + 3): every path (4-row block, vector, scalar tail) once
        denseRows(a, 0, 2, 4, 2, b, 0, L + 3, L + 3, out, 0, L + 3, null, 0);
        for (int r = 0; r < 4; r++) {
            for (int j = 0; j < L + 3; j++) {
                float want = a[2 * r] * b[j] + a[2 * r + 1] * b[L + 3 + j];
                if (out[r * (L + 3) + j] != want) {
                    return false;
                }
            }
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------------------------
    // dense rows: out[r] = bias[r] + sum_k a[r][k] * b[k]   (a: rows x kdim, row-major; b: kdim rows of len floats)

    /**
     * {@code out[oOff + r*ldo + j] = bias[biasOff + r] + sum_k a[aOff + r*lda + k] * b[bOff + k*ldb + j]} for
     * {@code r < rows}, {@code j < len}; {@code bias} may be null (zero). Blocks of four rows by three vectors
     * (twelve accumulators), then four rows by one vector, single rows, and a scalar tail for the last
     * {@code len % L} columns. The column strip is the outer loop, so each strip of {@code b} ({@code kdim x 3L})
     * is read from cache by every block of rows.
     */
    static void denseRows(float[] a, int aOff, int lda, int rows, int kdim, float[] b, int bOff, int ldb, int len,
                          float[] out, int oOff, int ldo, float[] bias, int biasOff) {
        denseRows(a, aOff, lda, rows, kdim, b, strided(kdim, ldb), bOff, len, out, oOff, ldo, bias, biasOff);
    }

    /** {@code {0, ld, 2 ld, ...}}: the source-row offsets of a matrix with leading dimension {@code ld}. */
    static int[] strided(int count, int ld) {
        int[] off = new int[count];
        for (int i = 0; i < count; i++) {
            off[i] = i * ld;
        }
        return off;
    }

    /**
     * As {@link #denseRows(float[], int, int, int, int, float[], int, int, int, float[], int, int, float[], int)} with
     * source row {@code k} at {@code b[bOff + koff[k]]}: the rows need not be equally spaced (a convolution tap is
     * a shifted view of a padded input, see {@link CsrConv2d}).
     */
    static void denseRows(float[] a, int aOff, int lda, int rows, int kdim, float[] b, int[] koff, int bOff, int len,
                          float[] out, int oOff, int ldo, float[] bias, int biasOff) {
        int j = 0;
        if (rows < 4) {
            // eight independent accumulators per row (one row by three vectors leaves FMA latency exposed)
            for (; j + 8 * L <= len; j += 8 * L) {
                for (int r = 0; r < rows; r++) {
                    kernel1x8(a, aOff + r * lda, kdim, b, bOff + j, koff, out, oOff + r * ldo + j,
                            biasOf(bias, biasOff + r));
                }
            }
        }
        for (; j + 3 * L <= len; j += 3 * L) {
            int r = 0;
            if (EIGHT_ROWS) {
                for (; r + 7 < rows; r += 8) {
                    kernel8x3(a, aOff + r * lda, lda, kdim, b, bOff + j, koff, out, oOff + r * ldo + j, ldo, bias,
                            biasOff + r);
                }
            }
            for (; r + 3 < rows; r += 4) {
                kernel4x3(a, aOff + r * lda, lda, kdim, b, bOff + j, koff, out, oOff + r * ldo + j, ldo,
                        biasOf(bias, biasOff + r), biasOf(bias, biasOff + r + 1), biasOf(bias, biasOff + r + 2),
                        biasOf(bias, biasOff + r + 3));
            }
            for (; r < rows; r++) {
                kernel1x3(a, aOff + r * lda, kdim, b, bOff + j, koff, out, oOff + r * ldo + j, biasOf(bias, biasOff + r));
            }
        }
        // the last partial vector: one more vector ending at len (it recomputes a few columns with the same
        // values), scalar only when the whole block is narrower than a vector
        boolean tail = j < len && len >= L && len % L != 0;
        for (; j + L <= len || tail && j < len; j += L) {
            if (j + L > len) {
                j = len - L;
                tail = false;
            }
            int r = 0;
            for (; r + 3 < rows; r += 4) {
                kernel4x1(a, aOff + r * lda, lda, kdim, b, bOff + j, koff, out, oOff + r * ldo + j, ldo,
                        biasOf(bias, biasOff + r), biasOf(bias, biasOff + r + 1), biasOf(bias, biasOff + r + 2),
                        biasOf(bias, biasOff + r + 3));
            }
            for (; r < rows; r++) {
                kernel1x1(a, aOff + r * lda, kdim, b, bOff + j, koff, out, oOff + r * ldo + j, biasOf(bias, biasOff + r));
            }
        }
        if (j < len) {
            for (int r = 0; r < rows; r++) {
                int ar = aOff + r * lda;
                float bv = biasOf(bias, biasOff + r);
                for (int jj = j; jj < len; jj++) {
                    float acc = bv;
                    for (int k = 0; k < kdim; k++) {
                        acc = Math.fma(a[ar + k], b[bOff + jj + koff[k]], acc);
                    }
                    out[oOff + r * ldo + jj] = acc;
                }
            }
        }
    }

    private static float biasOf(float[] bias, int i) {
        return bias == null ? 0f : bias[i];
    }

    private static void kernel8x3(float[] a, int a0, int lda, int kdim, float[] b, int bj, int[] koff, float[] out,
                                  int o0, int ldo, float[] bias, int bi0) {
        FloatVector c00 = FloatVector.broadcast(S, biasOf(bias, bi0 + 0));
        FloatVector c01 = c00;
        FloatVector c02 = c00;
        FloatVector c10 = FloatVector.broadcast(S, biasOf(bias, bi0 + 1));
        FloatVector c11 = c10;
        FloatVector c12 = c10;
        FloatVector c20 = FloatVector.broadcast(S, biasOf(bias, bi0 + 2));
        FloatVector c21 = c20;
        FloatVector c22 = c20;
        FloatVector c30 = FloatVector.broadcast(S, biasOf(bias, bi0 + 3));
        FloatVector c31 = c30;
        FloatVector c32 = c30;
        FloatVector c40 = FloatVector.broadcast(S, biasOf(bias, bi0 + 4));
        FloatVector c41 = c40;
        FloatVector c42 = c40;
        FloatVector c50 = FloatVector.broadcast(S, biasOf(bias, bi0 + 5));
        FloatVector c51 = c50;
        FloatVector c52 = c50;
        FloatVector c60 = FloatVector.broadcast(S, biasOf(bias, bi0 + 6));
        FloatVector c61 = c60;
        FloatVector c62 = c60;
        FloatVector c70 = FloatVector.broadcast(S, biasOf(bias, bi0 + 7));
        FloatVector c71 = c70;
        FloatVector c72 = c70;
        for (int k = 0; k < kdim; k++) {
            int bi = bj + koff[k];
            FloatVector x0 = FloatVector.fromArray(S, b, bi);
            FloatVector x1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector x2 = FloatVector.fromArray(S, b, bi + 2 * L);
            int ak = a0 + k;
            FloatVector w0 = FloatVector.broadcast(S, a[ak]);
            c00 = x0.fma(w0, c00);
            c01 = x1.fma(w0, c01);
            c02 = x2.fma(w0, c02);
            FloatVector w1 = FloatVector.broadcast(S, a[ak + 1 * lda]);
            c10 = x0.fma(w1, c10);
            c11 = x1.fma(w1, c11);
            c12 = x2.fma(w1, c12);
            FloatVector w2 = FloatVector.broadcast(S, a[ak + 2 * lda]);
            c20 = x0.fma(w2, c20);
            c21 = x1.fma(w2, c21);
            c22 = x2.fma(w2, c22);
            FloatVector w3 = FloatVector.broadcast(S, a[ak + 3 * lda]);
            c30 = x0.fma(w3, c30);
            c31 = x1.fma(w3, c31);
            c32 = x2.fma(w3, c32);
            FloatVector w4 = FloatVector.broadcast(S, a[ak + 4 * lda]);
            c40 = x0.fma(w4, c40);
            c41 = x1.fma(w4, c41);
            c42 = x2.fma(w4, c42);
            FloatVector w5 = FloatVector.broadcast(S, a[ak + 5 * lda]);
            c50 = x0.fma(w5, c50);
            c51 = x1.fma(w5, c51);
            c52 = x2.fma(w5, c52);
            FloatVector w6 = FloatVector.broadcast(S, a[ak + 6 * lda]);
            c60 = x0.fma(w6, c60);
            c61 = x1.fma(w6, c61);
            c62 = x2.fma(w6, c62);
            FloatVector w7 = FloatVector.broadcast(S, a[ak + 7 * lda]);
            c70 = x0.fma(w7, c70);
            c71 = x1.fma(w7, c71);
            c72 = x2.fma(w7, c72);
        }
        c00.intoArray(out, o0 + 0 * ldo);
        c01.intoArray(out, o0 + 0 * ldo + L);
        c02.intoArray(out, o0 + 0 * ldo + 2 * L);
        c10.intoArray(out, o0 + 1 * ldo);
        c11.intoArray(out, o0 + 1 * ldo + L);
        c12.intoArray(out, o0 + 1 * ldo + 2 * L);
        c20.intoArray(out, o0 + 2 * ldo);
        c21.intoArray(out, o0 + 2 * ldo + L);
        c22.intoArray(out, o0 + 2 * ldo + 2 * L);
        c30.intoArray(out, o0 + 3 * ldo);
        c31.intoArray(out, o0 + 3 * ldo + L);
        c32.intoArray(out, o0 + 3 * ldo + 2 * L);
        c40.intoArray(out, o0 + 4 * ldo);
        c41.intoArray(out, o0 + 4 * ldo + L);
        c42.intoArray(out, o0 + 4 * ldo + 2 * L);
        c50.intoArray(out, o0 + 5 * ldo);
        c51.intoArray(out, o0 + 5 * ldo + L);
        c52.intoArray(out, o0 + 5 * ldo + 2 * L);
        c60.intoArray(out, o0 + 6 * ldo);
        c61.intoArray(out, o0 + 6 * ldo + L);
        c62.intoArray(out, o0 + 6 * ldo + 2 * L);
        c70.intoArray(out, o0 + 7 * ldo);
        c71.intoArray(out, o0 + 7 * ldo + L);
        c72.intoArray(out, o0 + 7 * ldo + 2 * L);
    }

    private static void kernel4x3(float[] a, int a0, int lda, int kdim, float[] b, int bj, int[] koff, float[] out,
                                  int o0, int ldo, float z0, float z1, float z2, float z3) {
        FloatVector c00 = FloatVector.broadcast(S, z0);
        FloatVector c01 = c00;
        FloatVector c02 = c00;
        FloatVector c10 = FloatVector.broadcast(S, z1);
        FloatVector c11 = c10;
        FloatVector c12 = c10;
        FloatVector c20 = FloatVector.broadcast(S, z2);
        FloatVector c21 = c20;
        FloatVector c22 = c20;
        FloatVector c30 = FloatVector.broadcast(S, z3);
        FloatVector c31 = c30;
        FloatVector c32 = c30;
        int a1 = a0 + lda;
        int a2 = a1 + lda;
        int a3 = a2 + lda;
        for (int k = 0; k < kdim; k++) {
            int bi = bj + koff[k];
            FloatVector x0 = FloatVector.fromArray(S, b, bi);
            FloatVector x1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector x2 = FloatVector.fromArray(S, b, bi + 2 * L);
            FloatVector w = FloatVector.broadcast(S, a[a0 + k]);
            c00 = x0.fma(w, c00);
            c01 = x1.fma(w, c01);
            c02 = x2.fma(w, c02);
            w = FloatVector.broadcast(S, a[a1 + k]);
            c10 = x0.fma(w, c10);
            c11 = x1.fma(w, c11);
            c12 = x2.fma(w, c12);
            w = FloatVector.broadcast(S, a[a2 + k]);
            c20 = x0.fma(w, c20);
            c21 = x1.fma(w, c21);
            c22 = x2.fma(w, c22);
            w = FloatVector.broadcast(S, a[a3 + k]);
            c30 = x0.fma(w, c30);
            c31 = x1.fma(w, c31);
            c32 = x2.fma(w, c32);
        }
        c00.intoArray(out, o0);
        c01.intoArray(out, o0 + L);
        c02.intoArray(out, o0 + 2 * L);
        int o1 = o0 + ldo;
        c10.intoArray(out, o1);
        c11.intoArray(out, o1 + L);
        c12.intoArray(out, o1 + 2 * L);
        int o2 = o1 + ldo;
        c20.intoArray(out, o2);
        c21.intoArray(out, o2 + L);
        c22.intoArray(out, o2 + 2 * L);
        int o3 = o2 + ldo;
        c30.intoArray(out, o3);
        c31.intoArray(out, o3 + L);
        c32.intoArray(out, o3 + 2 * L);
    }

    private static void kernel4x1(float[] a, int a0, int lda, int kdim, float[] b, int bj, int[] koff, float[] out,
                                  int o0, int ldo, float z0, float z1, float z2, float z3) {
        FloatVector c0 = FloatVector.broadcast(S, z0);
        FloatVector c1 = FloatVector.broadcast(S, z1);
        FloatVector c2 = FloatVector.broadcast(S, z2);
        FloatVector c3 = FloatVector.broadcast(S, z3);
        int a1 = a0 + lda;
        int a2 = a1 + lda;
        int a3 = a2 + lda;
        for (int k = 0; k < kdim; k++) {
            int bi = bj + koff[k];
            FloatVector x = FloatVector.fromArray(S, b, bi);
            c0 = x.fma(FloatVector.broadcast(S, a[a0 + k]), c0);
            c1 = x.fma(FloatVector.broadcast(S, a[a1 + k]), c1);
            c2 = x.fma(FloatVector.broadcast(S, a[a2 + k]), c2);
            c3 = x.fma(FloatVector.broadcast(S, a[a3 + k]), c3);
        }
        c0.intoArray(out, o0);
        c1.intoArray(out, o0 + ldo);
        c2.intoArray(out, o0 + 2 * ldo);
        c3.intoArray(out, o0 + 3 * ldo);
    }

    /**
     * {@code y[yOff + r*ldy + j] = sum_k a[aOff + r*lda + k] * b[k*ldb + j]} for {@code r < rows}, {@code j in
     * [j0, j1)}, streaming the rows of {@code b}: for a product of a few rows (a Gemm of one input vector) the
     * weights are read once, sequentially, and the output block (a few kilobytes) stays in L1; four rows of
     * {@code b} per pass over it. Measured faster than keeping eight output vectors in registers across all of
     * {@code k}, whose strided reads of {@code b} the prefetchers follow badly (1 x 2048 by 2048 x 1000: 0.19 against
     * 0.34 ms).
     */
    static void streamRows(float[] a, int aOff, int lda, int rows, int kdim, float[] b, int ldb, int j0, int j1,
                           float[] y, int yOff, int ldy) {
        int len = j1 - j0;
        int vlen = len - len % L;
        for (int r = 0; r < rows; r++) {
            int yr = yOff + r * ldy + j0;
            int ar = aOff + r * lda;
            java.util.Arrays.fill(y, yr, yr + len, 0f);
            int k = 0;
            for (; k + 3 < kdim; k += 4) {
                FloatVector w0 = FloatVector.broadcast(S, a[ar + k]);
                FloatVector w1 = FloatVector.broadcast(S, a[ar + k + 1]);
                FloatVector w2 = FloatVector.broadcast(S, a[ar + k + 2]);
                FloatVector w3 = FloatVector.broadcast(S, a[ar + k + 3]);
                int b0 = k * ldb + j0;
                int b1 = b0 + ldb;
                int b2 = b1 + ldb;
                int b3 = b2 + ldb;
                for (int j = 0; j < vlen; j += L) {
                    FloatVector acc = FloatVector.fromArray(S, y, yr + j);
                    acc = FloatVector.fromArray(S, b, b0 + j).fma(w0, acc);
                    acc = FloatVector.fromArray(S, b, b1 + j).fma(w1, acc);
                    acc = FloatVector.fromArray(S, b, b2 + j).fma(w2, acc);
                    acc = FloatVector.fromArray(S, b, b3 + j).fma(w3, acc);
                    acc.intoArray(y, yr + j);
                }
                for (int j = vlen; j < len; j++) {
                    y[yr + j] = Math.fma(a[ar + k + 3], b[b3 + j], Math.fma(a[ar + k + 2], b[b2 + j],
                            Math.fma(a[ar + k + 1], b[b1 + j], Math.fma(a[ar + k], b[b0 + j], y[yr + j]))));
                }
            }
            for (; k < kdim; k++) {
                FloatVector w0 = FloatVector.broadcast(S, a[ar + k]);
                int b0 = k * ldb + j0;
                for (int j = 0; j < vlen; j += L) {
                    FloatVector.fromArray(S, b, b0 + j).fma(w0, FloatVector.fromArray(S, y, yr + j)).intoArray(y, yr + j);
                }
                for (int j = vlen; j < len; j++) {
                    y[yr + j] = Math.fma(a[ar + k], b[b0 + j], y[yr + j]);
                }
            }
        }
    }

    /** One row by eight vectors: for products with fewer than four rows (a Gemm of one input vector). */
    private static void kernel1x8(float[] a, int a0, int kdim, float[] b, int bj, int[] koff, float[] out, int o0,
                                  float z) {
        FloatVector c0 = FloatVector.broadcast(S, z);
        FloatVector c1 = c0;
        FloatVector c2 = c0;
        FloatVector c3 = c0;
        FloatVector c4 = c0;
        FloatVector c5 = c0;
        FloatVector c6 = c0;
        FloatVector c7 = c0;
        for (int k = 0; k < kdim; k++) {
            int bi = bj + koff[k];
            FloatVector w = FloatVector.broadcast(S, a[a0 + k]);
            c0 = FloatVector.fromArray(S, b, bi).fma(w, c0);
            c1 = FloatVector.fromArray(S, b, bi + L).fma(w, c1);
            c2 = FloatVector.fromArray(S, b, bi + 2 * L).fma(w, c2);
            c3 = FloatVector.fromArray(S, b, bi + 3 * L).fma(w, c3);
            c4 = FloatVector.fromArray(S, b, bi + 4 * L).fma(w, c4);
            c5 = FloatVector.fromArray(S, b, bi + 5 * L).fma(w, c5);
            c6 = FloatVector.fromArray(S, b, bi + 6 * L).fma(w, c6);
            c7 = FloatVector.fromArray(S, b, bi + 7 * L).fma(w, c7);
        }
        c0.intoArray(out, o0);
        c1.intoArray(out, o0 + L);
        c2.intoArray(out, o0 + 2 * L);
        c3.intoArray(out, o0 + 3 * L);
        c4.intoArray(out, o0 + 4 * L);
        c5.intoArray(out, o0 + 5 * L);
        c6.intoArray(out, o0 + 6 * L);
        c7.intoArray(out, o0 + 7 * L);
    }

    private static void kernel1x3(float[] a, int a0, int kdim, float[] b, int bj, int[] koff, float[] out, int o0,
                                  float z) {
        FloatVector c0 = FloatVector.broadcast(S, z);
        FloatVector c1 = c0;
        FloatVector c2 = c0;
        for (int k = 0; k < kdim; k++) {
            int bi = bj + koff[k];
            FloatVector w = FloatVector.broadcast(S, a[a0 + k]);
            c0 = FloatVector.fromArray(S, b, bi).fma(w, c0);
            c1 = FloatVector.fromArray(S, b, bi + L).fma(w, c1);
            c2 = FloatVector.fromArray(S, b, bi + 2 * L).fma(w, c2);
        }
        c0.intoArray(out, o0);
        c1.intoArray(out, o0 + L);
        c2.intoArray(out, o0 + 2 * L);
    }

    private static void kernel1x1(float[] a, int a0, int kdim, float[] b, int bj, int[] koff, float[] out, int o0,
                                  float z) {
        FloatVector c0 = FloatVector.broadcast(S, z);
        for (int k = 0; k < kdim; k++) {
            int bi = bj + koff[k];
            c0 = FloatVector.fromArray(S, b, bi).fma(FloatVector.broadcast(S, a[a0 + k]), c0);
        }
        c0.intoArray(out, o0);
    }

    // ---------------------------------------------------------------------------------------------------------
    // CSR rows: out[r] = bias[r] + sum over the stored non-zeros (k, v) of row r of v * b[k]

    /**
     * {@code out[oOff + r*ldo + j] = bias[r] + sum_{p in row r} val[p] * b[bOff + off[p] + j]} for CSR rows
     * {@code r in [rowFrom, rowTo)} and {@code j < len} ({@code bias} indexed by the row, may be null). {@code off[p]}
     * is where non-zero {@code p}'s source row starts, precomputed: a column times the leading dimension
     * ({@link CsrMatrix#scaledColumns}), or a convolution tap's offset in a padded input. Row by row; each block of
     * sixteen (then eight, four, two, one) vectors of the row keeps its accumulators in registers across all the
     * row's non-zeros (one load and one FMA per vector and non-zero, no accumulator traffic), then a scalar tail.
     * Sixteen vectors walk a row's non-zeros half as often as eight: 2-4 % on M-LSD's 3x3 convolutions at 80 %
     * zeros (AVX-512 only, {@link #SIXTEEN_BLOCKS}; {@code bench/results/sparse-conv-rows-tuning-2026-12-04.txt}). Row-outer
     * order makes each non-zero's source row a sequential stream over the tile (measured 52 against 40 GFLOP/s of
     * non-zero work for column-strip-outer order with four vectors, 256 x 256 at 90 % on 768 columns).
     */
    static void csrRows(int[] start, int[] off, float[] val, int rowFrom, int rowTo, float[] b, int bOff, int len,
                        float[] out, int oOff, int ldo, float[] bias) {
        for (int r = rowFrom; r < rowTo; r++) {
            int from = start[r];
            int to = start[r + 1];
            float z = bias == null ? 0f : bias[r];
            int o = oOff + r * ldo;
            int j = 0;
            for (; SIXTEEN_BLOCKS && j + 16 * L <= len; j += 16 * L) {
                csr16(from, to, off, val, b, bOff + j, out, o + j, z);
            }
            for (; j + 8 * L <= len; j += 8 * L) {
                csr8(from, to, off, val, b, bOff + j, out, o + j, z);
            }
            if (j + 4 * L <= len) {
                csr4(from, to, off, val, b, bOff + j, out, o + j, z);
                j += 4 * L;
            }
            if (j + 2 * L <= len) {
                csr2(from, to, off, val, b, bOff + j, out, o + j, z);
                j += 2 * L;
            }
            if (j + L <= len) {
                csr1(from, to, off, val, b, bOff + j, out, o + j, z);
                j += L;
            }
            if (j < len && len >= L) {
                // the last partial vector as one vector ending at len (recomputing a few columns, same values)
                csr1(from, to, off, val, b, bOff + len - L, out, o + len - L, z);
                j = len;
            }
            for (; j < len; j++) {
                float acc = z;
                for (int p = from; p < to; p++) {
                    acc = Math.fma(val[p], b[bOff + off[p] + j], acc);
                }
                out[o + j] = acc;
            }
        }
    }

    private static void csr1(int from, int to, int[] off, float[] val, float[] b, int bj, float[] out, int o, float z) {
        FloatVector c0 = FloatVector.broadcast(S, z);
        for (int p = from; p < to; p++) {
            c0 = FloatVector.fromArray(S, b, bj + off[p]).fma(FloatVector.broadcast(S, val[p]), c0);
        }
        c0.intoArray(out, o);
    }

    private static void csr2(int from, int to, int[] off, float[] val, float[] b, int bj, float[] out, int o, float z) {
        FloatVector c0 = FloatVector.broadcast(S, z);
        FloatVector c1 = c0;
        for (int p = from; p < to; p++) {
            int bi = bj + off[p];
            FloatVector v = FloatVector.broadcast(S, val[p]);
            c0 = FloatVector.fromArray(S, b, bi).fma(v, c0);
            c1 = FloatVector.fromArray(S, b, bi + L).fma(v, c1);
        }
        c0.intoArray(out, o);
        c1.intoArray(out, o + L);
    }

    private static void csr4(int from, int to, int[] off, float[] val, float[] b, int bj, float[] out, int o, float z) {
        FloatVector c0 = FloatVector.broadcast(S, z);
        FloatVector c1 = c0;
        FloatVector c2 = c0;
        FloatVector c3 = c0;
        for (int p = from; p < to; p++) {
            int bi = bj + off[p];
            FloatVector v = FloatVector.broadcast(S, val[p]);
            c0 = FloatVector.fromArray(S, b, bi).fma(v, c0);
            c1 = FloatVector.fromArray(S, b, bi + L).fma(v, c1);
            c2 = FloatVector.fromArray(S, b, bi + 2 * L).fma(v, c2);
            c3 = FloatVector.fromArray(S, b, bi + 3 * L).fma(v, c3);
        }
        c0.intoArray(out, o);
        c1.intoArray(out, o + L);
        c2.intoArray(out, o + 2 * L);
        c3.intoArray(out, o + 3 * L);
    }

    private static void csr16(int from, int to, int[] off, float[] val, float[] b, int bj, float[] out, int o,
                              float z) {
        FloatVector c0 = FloatVector.broadcast(S, z);
        FloatVector c1 = c0;
        FloatVector c2 = c0;
        FloatVector c3 = c0;
        FloatVector c4 = c0;
        FloatVector c5 = c0;
        FloatVector c6 = c0;
        FloatVector c7 = c0;
        FloatVector c8 = c0;
        FloatVector c9 = c0;
        FloatVector c10 = c0;
        FloatVector c11 = c0;
        FloatVector c12 = c0;
        FloatVector c13 = c0;
        FloatVector c14 = c0;
        FloatVector c15 = c0;
        for (int p = from; p < to; p++) {
            int bi = bj + off[p];
            FloatVector v = FloatVector.broadcast(S, val[p]);
            c0 = FloatVector.fromArray(S, b, bi + 0 * L).fma(v, c0);
            c1 = FloatVector.fromArray(S, b, bi + 1 * L).fma(v, c1);
            c2 = FloatVector.fromArray(S, b, bi + 2 * L).fma(v, c2);
            c3 = FloatVector.fromArray(S, b, bi + 3 * L).fma(v, c3);
            c4 = FloatVector.fromArray(S, b, bi + 4 * L).fma(v, c4);
            c5 = FloatVector.fromArray(S, b, bi + 5 * L).fma(v, c5);
            c6 = FloatVector.fromArray(S, b, bi + 6 * L).fma(v, c6);
            c7 = FloatVector.fromArray(S, b, bi + 7 * L).fma(v, c7);
            c8 = FloatVector.fromArray(S, b, bi + 8 * L).fma(v, c8);
            c9 = FloatVector.fromArray(S, b, bi + 9 * L).fma(v, c9);
            c10 = FloatVector.fromArray(S, b, bi + 10 * L).fma(v, c10);
            c11 = FloatVector.fromArray(S, b, bi + 11 * L).fma(v, c11);
            c12 = FloatVector.fromArray(S, b, bi + 12 * L).fma(v, c12);
            c13 = FloatVector.fromArray(S, b, bi + 13 * L).fma(v, c13);
            c14 = FloatVector.fromArray(S, b, bi + 14 * L).fma(v, c14);
            c15 = FloatVector.fromArray(S, b, bi + 15 * L).fma(v, c15);
        }
        c0.intoArray(out, o + 0 * L);
        c1.intoArray(out, o + 1 * L);
        c2.intoArray(out, o + 2 * L);
        c3.intoArray(out, o + 3 * L);
        c4.intoArray(out, o + 4 * L);
        c5.intoArray(out, o + 5 * L);
        c6.intoArray(out, o + 6 * L);
        c7.intoArray(out, o + 7 * L);
        c8.intoArray(out, o + 8 * L);
        c9.intoArray(out, o + 9 * L);
        c10.intoArray(out, o + 10 * L);
        c11.intoArray(out, o + 11 * L);
        c12.intoArray(out, o + 12 * L);
        c13.intoArray(out, o + 13 * L);
        c14.intoArray(out, o + 14 * L);
        c15.intoArray(out, o + 15 * L);
    }

    private static void csr8(int from, int to, int[] off, float[] val, float[] b, int bj, float[] out, int o, float z) {
        FloatVector c0 = FloatVector.broadcast(S, z);
        FloatVector c1 = c0;
        FloatVector c2 = c0;
        FloatVector c3 = c0;
        FloatVector c4 = c0;
        FloatVector c5 = c0;
        FloatVector c6 = c0;
        FloatVector c7 = c0;
        for (int p = from; p < to; p++) {
            int bi = bj + off[p];
            FloatVector v = FloatVector.broadcast(S, val[p]);
            c0 = FloatVector.fromArray(S, b, bi).fma(v, c0);
            c1 = FloatVector.fromArray(S, b, bi + L).fma(v, c1);
            c2 = FloatVector.fromArray(S, b, bi + 2 * L).fma(v, c2);
            c3 = FloatVector.fromArray(S, b, bi + 3 * L).fma(v, c3);
            c4 = FloatVector.fromArray(S, b, bi + 4 * L).fma(v, c4);
            c5 = FloatVector.fromArray(S, b, bi + 5 * L).fma(v, c5);
            c6 = FloatVector.fromArray(S, b, bi + 6 * L).fma(v, c6);
            c7 = FloatVector.fromArray(S, b, bi + 7 * L).fma(v, c7);
        }
        c0.intoArray(out, o);
        c1.intoArray(out, o + L);
        c2.intoArray(out, o + 2 * L);
        c3.intoArray(out, o + 3 * L);
        c4.intoArray(out, o + 4 * L);
        c5.intoArray(out, o + 5 * L);
        c6.intoArray(out, o + 6 * L);
        c7.intoArray(out, o + 7 * L);
    }

    // ---------------------------------------------------------------------------------------------------------
    // depthwise, column stride 1, on a zero-padded copy of the plane

    /**
     * One depthwise output plane for a window with column stride 1: {@code pad} is the input plane copied with its
     * padding ({@code padW} floats a row, wide enough that a vector load at any output column block stays inside),
     * {@code tapOff}/{@code tapVal} the non-zero taps (offset in {@code pad} from the window's top-left, weight).
     * Blocks of four vectors of an output row keep their accumulators in registers over all taps.
     */
    static void depthwiseRows(float[] pad, int padOff, int padW, int sh, int oh, int ow, int[] tapOff, float[] tapVal,
                              int taps, float bias, float[] out, int outPlane, float[] tail) {
        for (int oy = 0; oy < oh; oy++) {
            int rowBase = padOff + oy * sh * padW;
            int o = outPlane + oy * ow;
            int j = 0;
            for (; j + 4 * L <= ow; j += 4 * L) {
                FloatVector c0 = FloatVector.broadcast(S, bias);
                FloatVector c1 = c0;
                FloatVector c2 = c0;
                FloatVector c3 = c0;
                for (int t = 0; t < taps; t++) {
                    int i = rowBase + tapOff[t] + j;
                    FloatVector v = FloatVector.broadcast(S, tapVal[t]);
                    c0 = FloatVector.fromArray(S, pad, i).fma(v, c0);
                    c1 = FloatVector.fromArray(S, pad, i + L).fma(v, c1);
                    c2 = FloatVector.fromArray(S, pad, i + 2 * L).fma(v, c2);
                    c3 = FloatVector.fromArray(S, pad, i + 3 * L).fma(v, c3);
                }
                c0.intoArray(out, o + j);
                c1.intoArray(out, o + j + L);
                c2.intoArray(out, o + j + 2 * L);
                c3.intoArray(out, o + j + 3 * L);
            }
            for (; j < ow; j += L) {
                FloatVector c0 = FloatVector.broadcast(S, bias);
                for (int t = 0; t < taps; t++) {
                    c0 = FloatVector.fromArray(S, pad, rowBase + tapOff[t] + j)
                            .fma(FloatVector.broadcast(S, tapVal[t]), c0);
                }
                if (j + L <= ow) {
                    c0.intoArray(out, o + j);
                } else {
                    c0.intoArray(tail, 0);
                    System.arraycopy(tail, 0, out, o + j, ow - j);
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // convolution epilogue (ConvEpilogue): residual, clamp, HardSwish over a run of outputs

    /** {@code a[i] = min(max(a[i] + res[i], lo), hi)} for {@code i in [from, to)}; {@code res} may be null. */
    static void addClamp(float[] a, int from, int to, float[] res, float lo, float hi) {
        FloatVector vlo = FloatVector.broadcast(S, lo);
        FloatVector vhi = FloatVector.broadcast(S, hi);
        int i = from;
        if (res != null) {
            for (; i + L <= to; i += L) {
                FloatVector.fromArray(S, a, i).add(FloatVector.fromArray(S, res, i)).max(vlo).min(vhi).intoArray(a, i);
            }
            for (; i < to; i++) {
                a[i] = Math.min(Math.max(a[i] + res[i], lo), hi);
            }
        } else {
            for (; i + L <= to; i += L) {
                FloatVector.fromArray(S, a, i).max(vlo).min(vhi).intoArray(a, i);
            }
            for (; i < to; i++) {
                a[i] = Math.min(Math.max(a[i], lo), hi);
            }
        }
    }

    /** {@code v = min(max(a[i] + res[i], lo), hi); a[i] = v * min(max(v + 3, 0), 6) / 6}; {@code res} may be null. */
    static void addClampHardSwish(float[] a, int from, int to, float[] res, float lo, float hi) {
        FloatVector vlo = FloatVector.broadcast(S, lo);
        FloatVector vhi = FloatVector.broadcast(S, hi);
        FloatVector zero = FloatVector.zero(S);
        FloatVector three = FloatVector.broadcast(S, 3f);
        FloatVector six = FloatVector.broadcast(S, 6f);
        int i = from;
        for (; i + L <= to; i += L) {
            FloatVector v = FloatVector.fromArray(S, a, i);
            if (res != null) {
                v = v.add(FloatVector.fromArray(S, res, i));
            }
            v = v.max(vlo).min(vhi);
            v.mul(v.add(three).max(zero).min(six)).div(six).intoArray(a, i);
        }
        for (; i < to; i++) {
            float v = Math.min(Math.max(res != null ? a[i] + res[i] : a[i], lo), hi);
            a[i] = v * Math.min(Math.max(v + 3f, 0f), 6f) / 6f;
        }
    }

    /**
     * The vector part of {@link ElementwiseUnary#sigmoid(float[], float[], int, int)}: the same exactly rounded
     * operations as {@link ElementwiseUnary#sigmoid(float)}, lane by lane, so the results are bit for bit those of the
     * scalar form. Returns where it stopped (the caller does the tail).
     */
    static int sigmoid(float[] a, float[] y, int from, int to) {
        int i = from;
        int bound = from + S.loopBound(to - from);
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, a, i);
            FloatVector x = v.neg().lanewise(VectorOperators.MAX, ElementwiseUnary.EXP_MIN)
                    .lanewise(VectorOperators.MIN, ElementwiseUnary.EXP_MAX);
            one.div(expClamped(x).add(1f)).blend(v, v.test(VectorOperators.IS_NAN)).intoArray(y, i);
        }
        return i;
    }

    /** Lane by lane {@link ElementwiseUnary#exp(float)}, bit for bit: 0 below its range, NaN stays NaN. */
    static FloatVector exp(FloatVector x) {
        FloatVector e = expClamped(x.lanewise(VectorOperators.MIN, ElementwiseUnary.EXP_MAX)
                .lanewise(VectorOperators.MAX, ElementwiseUnary.EXP_MIN));
        return e.blend(0f, x.lt(ElementwiseUnary.EXP_MIN)).blend(x, x.test(VectorOperators.IS_NAN));
    }

    /** e^x for lanes in [EXP_MIN, EXP_MAX]: the operations of the scalar form, in its order. */
    private static FloatVector expClamped(FloatVector x) {
        FloatVector t = x.fma(ElementwiseUnary.LOG2E, ElementwiseUnary.ROUND);
        FloatVector n = t.sub(ElementwiseUnary.ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(S, -ElementwiseUnary.LN2_HI), x);
        r = n.fma(FloatVector.broadcast(S, -ElementwiseUnary.LN2_LO), r);
        FloatVector p = r.fma(ElementwiseUnary.P0, ElementwiseUnary.P1);
        p = p.fma(r, FloatVector.broadcast(S, ElementwiseUnary.P2));
        p = p.fma(r, FloatVector.broadcast(S, ElementwiseUnary.P3));
        p = p.fma(r, FloatVector.broadcast(S, ElementwiseUnary.P4));
        p = p.fma(r, FloatVector.broadcast(S, ElementwiseUnary.P5));
        FloatVector e = p.fma(r.mul(r), r).add(1f);
        IntVector scale = ((IntVector) t.reinterpretAsInts()).sub(ElementwiseUnary.ROUND_BITS - 127)
                .lanewise(VectorOperators.LSHL, 23);
        return e.mul((FloatVector) scale.reinterpretAsFloats());
    }

    /**
     * One contiguous softmax row {@code a[off..off+n)} into {@code y}: the maximum, {@code e^(a - max)} by
     * {@link #exp(FloatVector)} with the lanes' sum added in double, then each value times the inverse of the sum.
     * The tail past the last whole vector takes the scalar forms; the result does not depend on the JIT tier.
     */
    static void softmaxRow(float[] a, float[] y, int off, int n) {
        int bound = S.loopBound(n);
        FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int j = 0;
        for (; j < bound; j += L) {
            vmax = vmax.lanewise(VectorOperators.MAX, FloatVector.fromArray(S, a, off + j));
        }
        float mx = vmax.reduceLanes(VectorOperators.MAX);
        for (; j < n; j++) {
            mx = Math.max(mx, a[off + j]);
        }
        FloatVector vsum = FloatVector.zero(S);
        for (j = 0; j < bound; j += L) {
            FloatVector e = exp(FloatVector.fromArray(S, a, off + j).sub(mx));
            e.intoArray(y, off + j);
            vsum = vsum.add(e);
        }
        double sum = 0;
        for (int lane = 0; lane < L; lane++) {
            sum += vsum.lane(lane);
        }
        for (; j < n; j++) {
            float e = ElementwiseUnary.exp(a[off + j] - mx);
            y[off + j] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (j = 0; j < bound; j += L) {
            FloatVector.fromArray(S, y, off + j).mul(inv).intoArray(y, off + j);
        }
        for (; j < n; j++) {
            y[off + j] *= inv;
        }
    }

    /** The sum of {@code a[off..off+n)}, {@code n} a multiple of {@code 4 L}: four accumulators, lanes added in double. */
    static double sum4(float[] a, int off, int n) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        for (int j = 0; j < n; j += 4 * L) {
            s0 = s0.add(FloatVector.fromArray(S, a, off + j));
            s1 = s1.add(FloatVector.fromArray(S, a, off + j + L));
            s2 = s2.add(FloatVector.fromArray(S, a, off + j + 2 * L));
            s3 = s3.add(FloatVector.fromArray(S, a, off + j + 3 * L));
        }
        double s = 0;
        for (FloatVector v : new FloatVector[] {s0, s1, s2, s3}) {
            for (int lane = 0; lane < L; lane++) {
                s += v.lane(lane);
            }
        }
        return s;
    }
}
