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
        int[] inStride = new int[r];
        int s = 1;
        for (int i = r - 1; i >= 0; i--) {
            inStride[i] = s;
            s *= x.shape[i];
        }
        // source stride of each output axis; the last output axis is walked in the inner loop
        int[] st = new int[r];
        for (int i = 0; i < r; i++) {
            st[i] = inStride[p[i]];
        }
        NdArray out = x.isFloat() ? NdArray.ofFloats(shape, buffers.take(x.size())) : NdArray.zerosLike(x, shape);
        int n = x.size();
        if (n == 0) {
            return new NdArray[] {out};
        }
        int inner = r == 0 ? 1 : shape[r - 1];
        int innerStride = r == 0 ? 0 : st[r - 1];
        int outer = n / inner;
        int[] pos = new int[r];
        int off = 0;
        for (int o = 0; o < outer; o++) {
            int base = o * inner;
            if (x.isFloat()) {
                float[] a = x.floats;
                float[] y = out.floats;
                for (int j = 0; j < inner; j++) {
                    y[base + j] = a[off + j * innerStride];
                }
            } else {
                long[] a = x.longs;
                long[] y = out.longs;
                for (int j = 0; j < inner; j++) {
                    y[base + j] = a[off + j * innerStride];
                }
            }
            for (int ax = r - 2; ax >= 0; ax--) {
                pos[ax]++;
                off += st[ax];
                if (pos[ax] < shape[ax]) {
                    break;
                }
                off -= st[ax] * shape[ax];
                pos[ax] = 0;
            }
        }
        return new NdArray[] {out};
    }
}
