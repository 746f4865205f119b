package org.sparoa.backend.sparse.internal;

/** Matrix products shared by MatMul and Gemm: sparse constant weights (CSR) and dense runtime operands. */
final class MatrixProducts {
    private static final int TILE_SOURCE_FLOATS = 1 << 17;
    /** With fewer rows than this a transposed, row-streaming product does not pay for its transposes. */
    private static final int MIN_ROWS_FOR_STREAMING = 16;
    /** Smallest share of a dense product worth a task of its own (~30 us on one core): waking a parked pool thread
     * cost more than that on the shared VM (40x120 by 120x360: 0.20-0.25 ms on two threads, 0.06 ms on one). */
    static final long MIN_TASK_MACS = Long.getLong("sparoa.sparse.minTaskMacs", 1 << 22);
    /** Fewer elements than this are transposed on the calling thread (waking a worker costs more). */
    private static final long MIN_PARALLEL_TRANSPOSE = 1 << 16;

    private MatrixProducts() {
    }

    /**
     * {@code Y[rows x N] = A[rows x K] * B} where {@code bt} is {@code B} transposed ({@code N x K}), stored sparse.
     * Many rows: tiles of A are transposed into K row arrays so each weight non-zero drives one SIMD loop over the
     * tile. Few rows: one sparse dot product per output.
     */
    static float[] multiplyByCsr(float[] a, int rows, int kdim, CsrMatrix bt, Parallel parallel,
                                 FloatArrayPool.Lease buffers) {
        int ncols = bt.rows;
        float[] y = buffers.take(rows * ncols);
        if (Simd.enabled() && rows >= VectorKernels.L) {
            multiplyByCsrVector(a, rows, kdim, bt, y, parallel, buffers);
            return y;
        }
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
        float[] yt = buffers.take(ncols * rows);
        int tile = Math.min(rows, Math.max(128, Math.min(1024, TILE_SOURCE_FLOATS / Math.max(1, kdim))) & ~15);
        int tiles = (rows + tile - 1) / tile;
        float[][] col = new float[kdim][tile];
        for (int t = 0; t < tiles; t++) {
            int r0 = t * tile;
            int len = Math.min(tile, rows - r0);
            for (int r = 0; r < len; r++) {
                int base = (r0 + r) * kdim;
                for (int kk = 0; kk < kdim; kk++) {
                    col[kk][r] = a[base + kk];
                }
            }
            parallel.forRange(ncols, 4, (from, to) -> {
                float[] acc = new float[tile];
                for (int j = from; j < to; j++) {
                    java.util.Arrays.fill(acc, 0, len, 0f);
                    SparseRowKernel.accumulateRow(bt, j, acc, len, col);
                    System.arraycopy(acc, 0, yt, j * rows + r0, len);
                }
            });
        }
        transposeInto(yt, ncols, rows, y);
        buffers.recycle(yt);
        return y;
    }

    /**
     * The {@link VectorKernels#csrRows} form of {@link #multiplyByCsr}: {@code Y^T = B^T * A^T}. A tile of A's rows is
     * transposed into K rows (so that every weight non-zero drives a run of vector FMAs over the tile, as in a 1x1
     * convolution), the CSR kernel computes {@code Y^T}'s rows for the tile, split over threads by output column
     * (small products stay on one thread), and {@code Y^T} is transposed at the end.
     */
    private static void multiplyByCsrVector(float[] a, int rows, int kdim, CsrMatrix bt, float[] y, Parallel parallel,
                                            FloatArrayPool.Lease buffers) {
        int ncols = bt.rows;
        int tile = Math.min(rows, 512);
        int ld = AlignedScratch.roundUpToOddLines(tile);
        int[] nzOff = bt.scaledColumns(ld);
        float[] at = buffers.take(kdim * ld);
        int ldy = AlignedScratch.roundUpToOddLines(rows);
        float[] yt = buffers.take(ncols * ldy);
        long nnz = bt.colIndex.length;
        for (int r0 = 0; r0 < rows; r0 += tile) {
            int len = Math.min(tile, rows - r0);
            // at[kk * ld + r] = a[(r0 + r) * kdim + kk]
            transpose(a, r0 * kdim, kdim, len, kdim, at, ld, parallel);
            int row0 = r0;
            if (parallel.threads() < 2 || nnz * len < 2 * MIN_TASK_MACS) {
                VectorKernels.csrRows(bt.rowStart, nzOff, bt.values, 0, ncols, at, 0, len, yt, row0, ldy, null);
            } else {
                parallel.forRange(ncols, 16, (from, to) -> VectorKernels.csrRows(bt.rowStart, nzOff, bt.values,
                        from, to, at, 0, len, yt, row0, ldy, null));
            }
        }
        // y[r * ncols + c] = yt[c * ldy + r]
        transpose(yt, 0, ldy, ncols, rows, y, ncols, parallel);
        buffers.recycle(at);
        buffers.recycle(yt);
    }

    /**
     * {@code dst[c * dStride + r] = src[sOff + r * sStride + c]} for {@code r < rows, c < cols}, in 16 x 16 blocks
     * (each block reads 16 lines and writes 16), split over the threads by blocks of source rows when large.
     */
    static void transpose(float[] src, int sOff, int sStride, int rows, int cols, float[] dst, int dStride,
                          Parallel parallel) {
        int blocks = (rows + 15) / 16;
        if (parallel.threads() < 2 || (long) rows * cols < MIN_PARALLEL_TRANSPOSE || blocks < 2) {
            transposeRows(src, sOff, sStride, 0, rows, cols, dst, dStride);
            return;
        }
        parallel.forRange(blocks, 1, (from, to) ->
                transposeRows(src, sOff, sStride, from * 16, Math.min(rows, to * 16), cols, dst, dStride));
    }

    private static void transposeRows(float[] src, int sOff, int sStride, int rowFrom, int rowTo, int cols,
                                      float[] dst, int dStride) {
        for (int r0 = rowFrom; r0 < rowTo; r0 += 16) {
            int rEnd = Math.min(rowTo, r0 + 16);
            for (int c0 = 0; c0 < cols; c0 += 16) {
                int cEnd = Math.min(cols, c0 + 16);
                for (int c = c0; c < cEnd; c++) {
                    int d = c * dStride;
                    for (int r = r0; r < rEnd; r++) {
                        dst[d + r] = src[sOff + r * sStride + c];
                    }
                }
            }
        }
    }

    /**
     * {@code Y[rows x N] = A[rows x K] * B[K x N]} for dense runtime operands; zero activations skip their row of B.
     */
    static void multiplyDense(float[] a, int aOff, int rows, int kdim, float[] b, int bOff, int ncols,
                              float[] y, int yOff, Parallel parallel) {
        if (Simd.enabled()) {
            if (bOff == 0 && b.length == kdim * ncols) {
                multiplyDenseVector(a, aOff, rows, kdim, b, ncols, y, yOff, parallel);
            } else {
                multiplyDenseVector(a, aOff, rows, kdim, java.util.Arrays.copyOfRange(b, bOff, bOff + kdim * ncols),
                        ncols, y, yOff, parallel);
            }
            return;
        }
        multiplyByRows(a, aOff, rows, kdim, rowsOf(b, bOff, kdim, ncols), ncols, y, yOff, parallel);
    }

    /**
     * {@code Y[rows x N] = A[rows x K] * B[K x N]} with B row-major in one array, on the register-blocked
     * {@link VectorKernels#denseRows} (A's values broadcast, B's rows streamed as vectors); column strips split over
     * the threads. Only when {@link Simd#enabled()}.
     */
    static void multiplyDenseVector(float[] a, int aOff, int rows, int kdim, float[] b, int ncols, float[] y, int yOff,
                                    Parallel parallel) {
        int strip = (rows < 4 ? 8 : 3) * VectorKernels.L;
        int strips = (ncols + strip - 1) / strip;
        // at least MIN_TASK_MACS multiply-adds per task, so that small products do not pay for waking a thread
        int minStrips = Math.max(1, (int) (MIN_TASK_MACS / Math.max(1L, (long) rows * kdim * strip)));
        if (parallel.threads() < 2 || strips < 2 * minStrips) {
            // one task: called directly, not through the lambda (measured 0.105 against 0.014 ms for 40x120 by
            // 120x240 when the same single chunk ran through Parallel.forRange's lambda on the calling thread)
            denseColumns(a, aOff, rows, kdim, b, ncols, 0, ncols, y, yOff);
            return;
        }
        parallel.forRange(strips, minStrips, (from, to) ->
                denseColumns(a, aOff, rows, kdim, b, ncols, from * strip, Math.min(ncols, to * strip), y, yOff));
    }

    private static void denseColumns(float[] a, int aOff, int rows, int kdim, float[] b, int ncols, int j0, int j1,
                                     float[] y, int yOff) {
        if (rows < 4) {
            VectorKernels.streamRows(a, aOff, kdim, rows, kdim, b, ncols, j0, j1, y, yOff, ncols);
        } else {
            VectorKernels.denseRows(a, aOff, kdim, rows, kdim, b, j0, ncols, j1 - j0, y, yOff + j0, ncols, null, 0);
        }
    }

    /** The rows of a row-major {@code rows x cols} matrix as separate arrays (the form the SIMD loops need). */
    static float[][] rowsOf(float[] m, int off, int rows, int cols) {
        float[][] r = new float[rows][];
        for (int i = 0; i < rows; i++) {
            r[i] = java.util.Arrays.copyOfRange(m, off + i * cols, off + (i + 1) * cols);
        }
        return r;
    }

    /** {@code Y = A * B} with B given as its K rows: each output row is a sum of B rows scaled by non-zero activations. */
    static void multiplyByRows(float[] a, int aOff, int rows, int kdim, float[][] bRows, int ncols,
                               float[] y, int yOff, Parallel parallel) {
        parallel.forRange(rows, Math.max(1, 4096 / Math.max(1, kdim * ncols / 64 + 1)), (from, to) -> {
            float[] acc = new float[ncols];
            for (int r = from; r < to; r++) {
                java.util.Arrays.fill(acc, 0f);
                int ar = aOff + r * kdim;
                for (int kk = 0; kk < kdim; kk++) {
                    float v = a[ar + kk];
                    if (v != 0f) {
                        SparseRowKernel.axpy1(acc, ncols, bRows[kk], v);
                    }
                }
                System.arraycopy(acc, 0, y, yOff + r * ncols, ncols);
            }
        });
    }

    static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[rows * cols];
        transposeInto(m, rows, cols, t);
        return t;
    }

    static void transposeInto(float[] m, int rows, int cols, float[] t) {
        transposeRows(m, 0, cols, 0, rows, cols, t, rows);
    }
}
