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
