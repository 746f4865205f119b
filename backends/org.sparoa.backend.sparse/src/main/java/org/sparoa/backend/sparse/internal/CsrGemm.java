package org.sparoa.backend.sparse.internal;

import org.sparoa.api.Node;

/**
 * ONNX Gemm: {@code Y = alpha * A' * B' + beta * C} with optional transposes and C broadcast to {@code M x N}.
 * A constant B is stored as CSR of {@code B'} transposed.
 */
final class CsrGemm implements PooledKernel {
    private final Node node;
    private final float alpha;
    private final float beta;
    private final boolean transA;
    private final boolean transB;
    private final CsrMatrix constantBt;
    /** A dense constant B' as its rows (see CsrMatMul). */
    private final float[][] denseRows;
    /** The same dense constant B' ({@code K x N}) row-major in one array (for the vector kernels). */
    private final float[] denseB;

    CsrGemm(Node node, NdArray constantB, double denseBelowSparsity) {
        this.node = node;
        this.alpha = node.attrFloat("alpha", 1f);
        this.beta = node.attrFloat("beta", 1f);
        this.transA = node.attrLong("transA", 0) != 0;
        this.transB = node.attrLong("transB", 0) != 0;
        this.constantBt = constantB == null ? null : packBt(constantB, denseBelowSparsity);
        this.denseB = constantBt != null && constantBt.isDense()
                ? MatrixProducts.transpose(constantBt.values, constantBt.rows, constantBt.cols)
                : null;
        this.denseRows = denseB != null ? MatrixProducts.rowsOf(denseB, 0, constantBt.cols, constantBt.rows) : null;
    }

    CsrMatrix weights() {
        return constantBt;
    }

    private CsrMatrix packBt(NdArray b, double denseBelowSparsity) {
        requireMatrix(b, "B");
        return transB
                ? CsrMatrix.pack(b.asFloats(), 0, b.shape[0], b.shape[1], denseBelowSparsity)
                : CsrMatrix.packTransposed(b.asFloats(), 0, b.shape[0], b.shape[1], denseBelowSparsity);
    }

    private void requireMatrix(NdArray t, String what) {
        if (t.rank() != 2) {
            throw new IllegalArgumentException(node + ": " + what + " must be 2-D, got " + t);
        }
    }

    @Override
    public NdArray[] run(NdArray[] in, Parallel parallel, FloatArrayPool.Lease buffers) {
        NdArray a = in[0];
        NdArray b = in[1];
        NdArray c = in.length > 2 ? in[2] : null;
        requireMatrix(a, "A");
        requireMatrix(b, "B");
        int m = transA ? a.shape[1] : a.shape[0];
        int k = transA ? a.shape[0] : a.shape[1];
        int kb = transB ? b.shape[1] : b.shape[0];
        int n = transB ? b.shape[0] : b.shape[1];
        if (k != kb) {
            throw new IllegalArgumentException(node + ": cannot multiply A' (" + m + "x" + k + ") by B' (" + kb + "x" + n + ")");
        }
        float[] af = transA ? MatrixProducts.transpose(a.asFloats(), a.shape[0], a.shape[1]) : a.asFloats();
        float[] y;
        if (denseB != null && Simd.enabled()) {
            y = buffers.take(m * n);
            MatrixProducts.multiplyDenseVector(af, 0, m, k, denseB, n, y, 0, parallel);
        } else if (denseRows != null) {
            y = buffers.take(m * n);
            MatrixProducts.multiplyByRows(af, 0, m, k, denseRows, n, y, 0, parallel);
        } else if (constantBt != null) {
            y = MatrixProducts.multiplyByCsr(af, m, k, constantBt, parallel, buffers);
        } else {
            float[] bf = transB ? MatrixProducts.transpose(b.asFloats(), b.shape[0], b.shape[1]) : b.asFloats();
            y = buffers.take(m * n);
            MatrixProducts.multiplyDense(af, 0, m, k, bf, 0, n, y, 0, parallel);
        }
        if (alpha != 1f) {
            for (int i = 0; i < y.length; i++) {
                y[i] *= alpha;
            }
        }
        if (c != null && beta != 0f) {
            int[] outShape = {m, n};
            int[] idx = Broadcast.sourceIndices(outShape, c.shape);
            float[] cf = c.asFloats();
            for (int i = 0; i < y.length; i++) {
                y[i] += beta * cf[idx[i]];
            }
        }
        return new NdArray[] {NdArray.ofFloats(new int[] {m, n}, y)};
    }
}
