package org.sparoa.backend.sparse.internal;

/**
 * The inner loop of every weight-stationary kernel here: {@code acc[0..len) += sum_k W[row][k] * src[k][0..len)}.
 * Only the stored non-zeros of the row are visited, four at a time so that one pass over the accumulator serves
 * four of them. Every array is indexed from 0 by the loop variable alone: that is the form C2's SuperWord turns into
 * SIMD code on JDK 17 (rows at different offsets of one big array are not vectorised), and {@link Math#fma} keeps it
 * to one fused instruction per lane.
 */
final class SparseRowKernel {
    private SparseRowKernel() {
    }

    static void accumulateRow(CsrMatrix w, int row, float[] acc, int len, float[][] src) {
        float[] val = w.values;
        if (w.isDense()) {
            int base = row * w.cols;
            int k = 0;
            for (; k + 3 < w.cols; k += 4) {
                axpy4(acc, len, src[k], src[k + 1], src[k + 2], src[k + 3],
                        val[base + k], val[base + k + 1], val[base + k + 2], val[base + k + 3]);
            }
            for (; k < w.cols; k++) {
                axpy1(acc, len, src[k], val[base + k]);
            }
            return;
        }
        int[] col = w.colIndex;
        int p = w.rowStart[row];
        int end = w.rowStart[row + 1];
        for (; p + 3 < end; p += 4) {
            axpy4(acc, len, src[col[p]], src[col[p + 1]], src[col[p + 2]], src[col[p + 3]],
                    val[p], val[p + 1], val[p + 2], val[p + 3]);
        }
        for (; p < end; p++) {
            axpy1(acc, len, src[col[p]], val[p]);
        }
    }

    /**
     * Four consecutive rows of a dense matrix at once: {@code a_r[0..len) += sum_k W[row + r][k] * src[k][0..len)}.
     * Each pass over the accumulators serves two source rows for four outputs (eight multiply-adds per element
     * loaded from a source row, where one row at a time does four), so the source rows, which live in L2, are read
     * half as often. Four rows by two sources is the widest block C2 still vectorises on JDK 17 (six arrays; with
     * eight it falls back to scalar code): measured 1.2-1.4x over {@link #axpy4} on a 256 x 256 x 512 product.
     */
    static void accumulateDense4(CsrMatrix w, int row, float[] a0, float[] a1, float[] a2, float[] a3, int len,
                                 float[][] src) {
        float[] v = w.values;
        int n = w.cols;
        int b0 = row * n;
        int b1 = b0 + n;
        int b2 = b1 + n;
        int b3 = b2 + n;
        int k = 0;
        for (; k + 1 < n; k += 2) {
            block42(a0, a1, a2, a3, len, src[k], src[k + 1], v[b0 + k], v[b0 + k + 1], v[b1 + k], v[b1 + k + 1],
                    v[b2 + k], v[b2 + k + 1], v[b3 + k], v[b3 + k + 1]);
        }
        for (; k < n; k++) {
            axpy1(a0, len, src[k], v[b0 + k]);
            axpy1(a1, len, src[k], v[b1 + k]);
            axpy1(a2, len, src[k], v[b2 + k]);
            axpy1(a3, len, src[k], v[b3 + k]);
        }
    }

    static void block42(float[] a0, float[] a1, float[] a2, float[] a3, int len, float[] r0, float[] r1,
                        float w00, float w01, float w10, float w11, float w20, float w21, float w30, float w31) {
        for (int j = 0; j < len; j++) {
            float x0 = r0[j];
            float x1 = r1[j];
            a0[j] = Math.fma(w01, x1, Math.fma(w00, x0, a0[j]));
            a1[j] = Math.fma(w11, x1, Math.fma(w10, x0, a1[j]));
            a2[j] = Math.fma(w21, x1, Math.fma(w20, x0, a2[j]));
            a3[j] = Math.fma(w31, x1, Math.fma(w30, x0, a3[j]));
        }
    }

    static void axpy4(float[] acc, int len, float[] r0, float[] r1, float[] r2, float[] r3,
                      float v0, float v1, float v2, float v3) {
        for (int j = 0; j < len; j++) {
            acc[j] = Math.fma(v3, r3[j], Math.fma(v2, r2[j], Math.fma(v1, r1[j], Math.fma(v0, r0[j], acc[j]))));
        }
    }

    static void axpy1(float[] acc, int len, float[] r0, float v0) {
        for (int j = 0; j < len; j++) {
            acc[j] = Math.fma(v0, r0[j], acc[j]);
        }
    }

    /** {@code sum_k W[row][k] * x[xOff + k]}: the one-output-at-a-time form for a single input vector. */
    static float dotRow(CsrMatrix w, int row, float[] x, int xOff) {
        float acc = 0f;
        if (w.isDense()) {
            float[] val = w.values;
            int base = row * w.cols;
            for (int k = 0; k < w.cols; k++) {
                acc += val[base + k] * x[xOff + k];
            }
            return acc;
        }
        int[] col = w.colIndex;
        float[] val = w.values;
        for (int p = w.rowStart[row], end = w.rowStart[row + 1]; p < end; p++) {
            acc += val[p] * x[xOff + col[p]];
        }
        return acc;
    }
}
