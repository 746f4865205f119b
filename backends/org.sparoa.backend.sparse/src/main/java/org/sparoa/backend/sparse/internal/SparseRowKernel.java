package org.sparoa.backend.sparse.internal;

/**
 * The inner loop of every weight-stationary kernel here: {@code out[0..len) += sum_k W[row][k] * src_k[0..len)},
 * where source row {@code k} starts at {@code srcBase + k * srcStride}. Only the stored non-zeros of the row are
 * visited, four at a time so that one pass over the output slice serves four of them; the contiguous loops over
 * {@code len} are what C2 turns into SIMD code.
 */
final class SparseRowKernel {
    private SparseRowKernel() {
    }

    static void accumulateRow(CsrMatrix w, int row, float[] out, int outOff, int len,
                              float[] src, int srcBase, int srcStride) {
        if (w.isDense()) {
            accumulateDenseRow(w, row, out, outOff, len, src, srcBase, srcStride);
            return;
        }
        int[] col = w.colIndex;
        float[] val = w.values;
        int p = w.rowStart[row];
        int end = w.rowStart[row + 1];
        for (; p + 3 < end; p += 4) {
            axpy4(out, outOff, len, src,
                    srcBase + col[p] * srcStride, srcBase + col[p + 1] * srcStride,
                    srcBase + col[p + 2] * srcStride, srcBase + col[p + 3] * srcStride,
                    val[p], val[p + 1], val[p + 2], val[p + 3]);
        }
        for (; p < end; p++) {
            axpy1(out, outOff, len, src, srcBase + col[p] * srcStride, val[p]);
        }
    }

    private static void accumulateDenseRow(CsrMatrix w, int row, float[] out, int outOff, int len,
                                           float[] src, int srcBase, int srcStride) {
        float[] val = w.values;
        int cols = w.cols;
        int base = row * cols;
        int k = 0;
        for (; k + 3 < cols; k += 4) {
            int s = srcBase + k * srcStride;
            axpy4(out, outOff, len, src, s, s + srcStride, s + 2 * srcStride, s + 3 * srcStride,
                    val[base + k], val[base + k + 1], val[base + k + 2], val[base + k + 3]);
        }
        for (; k < cols; k++) {
            axpy1(out, outOff, len, src, srcBase + k * srcStride, val[base + k]);
        }
    }

    static void axpy4(float[] out, int o, int len, float[] src, int s0, int s1, int s2, int s3,
                      float v0, float v1, float v2, float v3) {
        for (int j = 0; j < len; j++) {
            out[o + j] += v0 * src[s0 + j] + v1 * src[s1 + j] + v2 * src[s2 + j] + v3 * src[s3 + j];
        }
    }

    static void axpy1(float[] out, int o, int len, float[] src, int s0, float v0) {
        for (int j = 0; j < len; j++) {
            out[o + j] += v0 * src[s0 + j];
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
