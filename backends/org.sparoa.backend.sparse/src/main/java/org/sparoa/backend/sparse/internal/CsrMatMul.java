package org.sparoa.backend.sparse.internal;

import java.util.Arrays;

import org.sparoa.api.Node;

/**
 * ONNX MatMul (numpy semantics: 1-D operands promoted, batch dimensions broadcast). A constant 2-D right-hand side
 * (the usual weight matrix) is stored transposed as CSR; anything else runs the dense row product.
 */
final class CsrMatMul implements PooledKernel {
    private final Node node;
    private final CsrMatrix constantBt;
    /** A dense constant B as its rows: long SIMD loops over N beat the transposed form when B is dense. */
    private final float[][] denseRows;
    /** The same dense constant B row-major in one array (for the vector kernels). */
    private final float[] denseB;

    CsrMatMul(Node node, NdArray constantB, double denseBelowSparsity) {
        this.node = node;
        this.constantBt = constantB != null && constantB.rank() == 2
                ? CsrMatrix.packTransposed(constantB.asFloats(), 0, constantB.shape[0], constantB.shape[1], denseBelowSparsity)
                : null;
        this.denseRows = constantBt != null && constantBt.isDense()
                ? MatrixProducts.rowsOf(constantB.asFloats(), 0, constantB.shape[0], constantB.shape[1])
                : null;
        this.denseB = denseRows != null ? constantB.asFloats().clone() : null;
    }

    CsrMatrix weights() {
        return constantBt;
    }

    @Override
    public NdArray[] run(NdArray[] in, Parallel parallel, FloatArrayPool.Lease buffers) {
        NdArray a = in[0];
        NdArray b = in[1];
        int[] as = a.rank() == 1 ? new int[] {1, a.shape[0]} : a.shape;
        int[] bs = b.rank() == 1 ? new int[] {b.shape[0], 1} : b.shape;
        int m = as[as.length - 2];
        int k = as[as.length - 1];
        int n = bs[bs.length - 1];
        if (bs[bs.length - 2] != k) {
            throw new IllegalArgumentException(node + ": cannot multiply " + a + " by " + b + ": inner dimensions differ");
        }
        int[] aBatch = Arrays.copyOf(as, as.length - 2);
        int[] bBatch = Arrays.copyOf(bs, bs.length - 2);
        int[] batch = Broadcast.shape(node, aBatch, bBatch);
        int batches = NdArray.size(batch);
        float[] y;
        if (denseB != null && b.rank() == 2 && Simd.enabled()) {
            y = buffers.take(batches * m * n);
            MatrixProducts.multiplyDenseVector(a.asFloats(), 0, batches * m, k, denseB, n, y, 0, parallel);
        } else if (denseRows != null && b.rank() == 2) {
            y = buffers.take(batches * m * n);
            MatrixProducts.multiplyByRows(a.asFloats(), 0, batches * m, k, denseRows, n, y, 0, parallel);
        } else if (constantBt != null && b.rank() == 2) {
            y = MatrixProducts.multiplyByCsr(a.asFloats(), batches * m, k, constantBt, parallel, buffers);
        } else {
            y = buffers.take(batches * m * n);
            float[] af = a.asFloats();
            float[] bf = b.asFloats();
            int[] aIdx = Broadcast.sourceIndices(batch, aBatch);
            int[] bIdx = Broadcast.sourceIndices(batch, bBatch);
            for (int i = 0; i < batches; i++) {
                MatrixProducts.multiplyDense(af, aIdx[i] * m * k, m, k, bf, bIdx[i] * k * n, n, y, i * m * n, parallel);
            }
        }
        int[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        if (a.rank() == 1) {
            outShape = removeAxis(outShape, batch.length);
        }
        if (b.rank() == 1) {
            outShape = removeAxis(outShape, outShape.length - 1);
        }
        return new NdArray[] {NdArray.ofFloats(outShape, y)};
    }

    private static int[] removeAxis(int[] s, int axis) {
        int[] r = new int[s.length - 1];
        for (int i = 0, j = 0; i < s.length; i++) {
            if (i != axis) {
                r[j++] = s[i];
            }
        }
        return r;
    }
}
