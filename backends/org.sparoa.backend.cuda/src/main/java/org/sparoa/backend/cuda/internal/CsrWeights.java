package org.sparoa.backend.cuda.internal;

/** A dense row-major matrix as CSR: what the sparse kernels read (row pointers, column indices, values). */
record CsrWeights(int rows, int cols, int[] rowPtr, int[] colIdx, float[] values) {

    static CsrWeights of(float[] dense, int rows, int cols) {
        if ((long) rows * cols != dense.length) {
            throw new IllegalArgumentException(rows + "x" + cols + " matrix from " + dense.length + " values");
        }
        int nnz = 0;
        for (float v : dense) {
            if (v != 0) {
                nnz++;
            }
        }
        int[] ptr = new int[rows + 1];
        int[] col = new int[nnz];
        float[] val = new float[nnz];
        int j = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                float v = dense[r * cols + c];
                if (v != 0) {
                    col[j] = c;
                    val[j] = v;
                    j++;
                }
            }
            ptr[r + 1] = j;
        }
        return new CsrWeights(rows, cols, ptr, col, val);
    }

    int nonZeros() {
        return values.length;
    }

    static double sparsity(float[] dense) {
        int zeros = 0;
        for (float v : dense) {
            if (v == 0) {
                zeros++;
            }
        }
        return dense.length == 0 ? 0 : (double) zeros / dense.length;
    }

    /** The transpose of a row-major {@code rows x cols} matrix. */
    static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = m[r * cols + c];
            }
        }
        return t;
    }
}
