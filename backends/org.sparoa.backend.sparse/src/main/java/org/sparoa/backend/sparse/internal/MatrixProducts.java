package org.sparoa.backend.sparse.internal;

/** Matrix products shared by MatMul and Gemm: sparse constant weights (CSR) and dense runtime operands. */
final class MatrixProducts {
    private static final int TILE_SOURCE_FLOATS = 1 << 16;
    /** With fewer rows than this a transposed, row-streaming product does not pay for its two transposes. */
    private static final int MIN_ROWS_FOR_STREAMING = 16;

    private MatrixProducts() {
    }

    /**
     * {@code Y[rows x N] = A[rows x K] * B} where {@code bt} is {@code B} transposed ({@code N x K}), stored sparse.
     * Many rows: stream over the transposed activations so each weight non-zero drives one contiguous loop.
     * Few rows: one sparse dot product per output.
     */
    static float[] multiplyByCsr(float[] a, int rows, int kdim, CsrMatrix bt, Parallel parallel) {
        int ncols = bt.rows;
        float[] y = new float[rows * ncols];
        if (rows < MIN_ROWS_FOR_STREAMING) {
            parallel.forRange(ncols, 16, (from, to) -> {
                for (int r = 0; r < rows; r++) {
                    for (int j = from; j < to; j++) {
                        y[r * ncols + j] = SparseRowKernel.dotRow(bt, j, a, r * kdim);
                    }
                }
            });
            return y;
        }
        float[] at = transpose(a, rows, kdim);
        float[] yt = new float[ncols * rows];
        int tile = Math.min(rows, Math.max(64, Math.min(4096, TILE_SOURCE_FLOATS / Math.max(1, kdim))) & ~15);
        int tiles = (rows + tile - 1) / tile;
        parallel.forRange(ncols * tiles, 1, (from, to) -> {
            for (int u = from; u < to; u++) {
                int t = u / ncols;
                int j = u % ncols;
                int r0 = t * tile;
                int len = Math.min(tile, rows - r0);
                SparseRowKernel.accumulateRow(bt, j, yt, j * rows + r0, len, at, r0, rows);
            }
        });
        transposeInto(yt, ncols, rows, y);
        return y;
    }

    /**
     * {@code Y[rows x N] = A[rows x K] * B[K x N]} for dense runtime operands; zero activations skip their row of B.
     */
    static void multiplyDense(float[] a, int aOff, int rows, int kdim, float[] b, int bOff, int ncols,
                              float[] y, int yOff, Parallel parallel) {
        parallel.forRange(rows, Math.max(1, 4096 / Math.max(1, kdim * ncols / 64 + 1)), (from, to) -> {
            for (int r = from; r < to; r++) {
                int yr = yOff + r * ncols;
                int ar = aOff + r * kdim;
                for (int kk = 0; kk < kdim; kk++) {
                    float v = a[ar + kk];
                    if (v != 0f) {
                        SparseRowKernel.axpy1(y, yr, ncols, b, bOff + kk * ncols, v);
                    }
                }
            }
        });
    }

    static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[rows * cols];
        transposeInto(m, rows, cols, t);
        return t;
    }

    static void transposeInto(float[] m, int rows, int cols, float[] t) {
        final int b = 32;
        for (int r0 = 0; r0 < rows; r0 += b) {
            for (int c0 = 0; c0 < cols; c0 += b) {
                int rEnd = Math.min(rows, r0 + b);
                int cEnd = Math.min(cols, c0 + b);
                for (int r = r0; r < rEnd; r++) {
                    for (int c = c0; c < cEnd; c++) {
                        t[c * rows + r] = m[r * cols + c];
                    }
                }
            }
        }
    }
}
