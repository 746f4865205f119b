package org.sparoa.backend.sparse.internal;

/**
 * A weight matrix of {@code rows x cols} floats, kept in compressed sparse row form (column indices and values of
 * the non-zeros of each row) when it is sparse enough, or dense (all values, row-major) otherwise. Immutable.
 */
final class CsrMatrix {
    /** Below this fraction of zeros the index arrays cost more than the skipped multiplications save. */
    /**
     * Below 60 % zeros our dense kernel beats our CSR kernel (per-op bench, 2026-11-29: 1x1 256->256 dense 0.61x of ONNX
     * Runtime, CSR at 50 % 0.37x, at 70 % 0.78x; 3x3 64->64 dense 0.39x, CSR at 50 % 0.28x, at 70 % 0.45x).
     */
    static final double DEFAULT_DENSE_BELOW_SPARSITY = 0.6;

    final int rows;
    final int cols;
    /** Row {@code r}'s non-zeros are {@code [rowStart[r], rowStart[r+1])}; null when dense. */
    final int[] rowStart;
    /** Column of each non-zero; null when dense. */
    final int[] colIndex;
    /** Non-zero values (CSR) or every value row-major (dense). */
    final float[] values;
    final long zeros;

    /** The last {@link #scaledColumns} result: products run with the same leading dimension call after call. */
    private volatile int[] scaled;
    private volatile int scaledBy = -1;

    /**
     * {@code colIndex[p] * ld} for every stored non-zero: where its source row starts in a matrix of leading
     * dimension {@code ld}. Cached for the last {@code ld} asked for.
     */
    int[] scaledColumns(int ld) {
        int[] s = scaled;
        if (scaledBy == ld && s != null) {
            return s;
        }
        s = new int[colIndex.length];
        for (int p = 0; p < s.length; p++) {
            s[p] = colIndex[p] * ld;
        }
        scaled = s;
        scaledBy = ld;
        return s;
    }

    private CsrMatrix(int rows, int cols, int[] rowStart, int[] colIndex, float[] values, long zeros) {
        this.rows = rows;
        this.cols = cols;
        this.rowStart = rowStart;
        this.colIndex = colIndex;
        this.values = values;
        this.zeros = zeros;
    }

    /** Packs {@code rows x cols} row-major floats starting at {@code offset}. */
    static CsrMatrix pack(float[] w, int offset, int rows, int cols, double denseBelowSparsity) {
        long total = (long) rows * cols;
        long nnz = 0;
        for (long i = 0; i < total; i++) {
            if (w[offset + (int) i] != 0f) {
                nnz++;
            }
        }
        long zeros = total - nnz;
        if (total == 0 || (double) zeros / total < denseBelowSparsity) {
            float[] dense = new float[(int) total];
            System.arraycopy(w, offset, dense, 0, (int) total);
            return new CsrMatrix(rows, cols, null, null, dense, zeros);
        }
        int[] start = new int[rows + 1];
        int[] col = new int[(int) nnz];
        float[] val = new float[(int) nnz];
        int p = 0;
        for (int r = 0; r < rows; r++) {
            start[r] = p;
            int base = offset + r * cols;
            for (int c = 0; c < cols; c++) {
                float v = w[base + c];
                if (v != 0f) {
                    col[p] = c;
                    val[p] = v;
                    p++;
                }
            }
        }
        start[rows] = p;
        return new CsrMatrix(rows, cols, start, col, val, zeros);
    }

    /** Packs the transpose of a row-major {@code rows x cols} matrix, i.e. a {@code cols x rows} matrix. */
    static CsrMatrix packTransposed(float[] w, int offset, int rows, int cols, double denseBelowSparsity) {
        float[] t = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = w[offset + r * cols + c];
            }
        }
        return pack(t, 0, cols, rows, denseBelowSparsity);
    }

    boolean isDense() {
        return rowStart == null;
    }

    double sparsity() {
        long total = (long) rows * cols;
        return total == 0 ? 0 : (double) zeros / total;
    }

    long storedValues() {
        return values.length;
    }

    @Override
    public String toString() {
        return (isDense() ? "dense " : "CSR ") + rows + "x" + cols + String.format(" (%.1f%% zeros)", 100 * sparsity());
    }
}
