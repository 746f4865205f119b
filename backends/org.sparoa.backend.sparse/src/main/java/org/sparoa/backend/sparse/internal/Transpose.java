package org.sparoa.backend.sparse.internal;

import org.sparoa.api.Node;

/** Transpose by a permutation of axes (default: reversed), float32 or int64. */
final class Transpose implements PooledKernel {
    private final Node node;
    private final long[] perm;

    Transpose(Node node) {
        this.node = node;
        this.perm = node.attrLongs("perm", null);
    }

    /** Float outputs come from the pool: every element is written (a fresh array cost more than the copy itself). */
    @Override
    public NdArray[] run(NdArray[] in, Parallel parallel, FloatArrayPool.Lease buffers) {
        NdArray x = in[0];
        int r = x.rank();
        int[] p = new int[r];
        boolean[] seen = new boolean[r];
        for (int i = 0; i < r; i++) {
            long v = perm == null ? r - 1 - i : (i < perm.length ? perm[i] : -1);
            if (perm != null && perm.length != r || v < 0 || v >= r || seen[(int) v]) {
                throw new IllegalArgumentException(node + ": perm is not a permutation of the " + r + " axes of " + x);
            }
            seen[(int) v] = true;
            p[i] = (int) v;
        }
        int[] shape = new int[r];
        for (int i = 0; i < r; i++) {
            shape[i] = x.shape[p[i]];
        }
        // source stride of each output axis
        int[] inStride = NdArray.strides(x.shape);
        int[] st = new int[r];
        for (int i = 0; i < r; i++) {
            st[i] = inStride[p[i]];
        }
        NdArray out = x.isFloat() ? NdArray.ofFloats(shape, buffers.take(x.size())) : NdArray.zerosLike(x, shape);
        x.gatherInto(0, st, out);
        return new NdArray[] {out};
    }
}
