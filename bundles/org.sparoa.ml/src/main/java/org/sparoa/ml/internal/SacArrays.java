package org.sparoa.ml.internal;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Java arrays to ND4J arrays and back through one flat buffer (ND4J's own row-by-row conversions cost an operation
 * per row), and the release of native memory an agent holds.
 */
final class SacArrays {

    private SacArrays() {
    }

    /** A {@code [rows, columns]} array of these equally long rows. */
    static INDArray matrix(float[][] rows) {
        int columns = rows[0].length;
        float[] flat = new float[rows.length * columns];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * columns, columns);
        }
        return Nd4j.create(flat, new long[] {rows.length, columns}, 'c');
    }

    /** The rows of a matrix. */
    static float[][] rows(INDArray matrix) {
        INDArray plain = matrix.isView() || matrix.ordering() != 'c' ? matrix.dup('c') : matrix;
        float[] flat = plain.data().asFloat();
        int n = (int) matrix.rows();
        int columns = (int) matrix.columns();
        if (flat.length != (long) n * columns) {
            return matrix.toFloatMatrix();
        }
        float[][] out = new float[n][columns];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * columns, out[i], 0, columns);
        }
        return out;
    }

    /** Frees an array's native memory now rather than when the collector gets to it. */
    static void release(INDArray a) {
        if (a != null && a.closeable() && !a.wasClosed()) {
            a.close();
        }
    }
}
