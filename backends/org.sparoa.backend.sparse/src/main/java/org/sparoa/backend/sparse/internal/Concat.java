package org.sparoa.backend.sparse.internal;

import java.util.Arrays;

import org.sparoa.api.Node;

/** Concat along one axis, float32 or int64. */
final class Concat implements PooledKernel {
    private final Node node;
    private final long axisAttr;

    Concat(Node node) {
        this.node = node;
        this.axisAttr = node.attrLong("axis", Long.MIN_VALUE);
        if (axisAttr == Long.MIN_VALUE) {
            throw new IllegalArgumentException(node + ": axis is required");
        }
    }

    @Override
    public NdArray[] run(NdArray[] in, Parallel parallel, FloatArrayPool.Lease buffers) {
        NdArray first = in[0];
        int rank = first.rank();
        int axis = (int) (axisAttr < 0 ? axisAttr + rank : axisAttr);
        if (axis < 0 || axis >= rank) {
            throw new IllegalArgumentException(node + ": axis " + axisAttr + " out of range for rank " + rank);
        }
        int[] shape = first.shape.clone();
        shape[axis] = 0;
        for (NdArray t : in) {
            if (t.rank() != rank || t.isFloat() != first.isFloat()) {
                throw new IllegalArgumentException(node + ": inputs " + first + " and " + t + " cannot be concatenated");
            }
            for (int i = 0; i < rank; i++) {
                if (i != axis && t.shape[i] != first.shape[i]) {
                    throw new IllegalArgumentException(node + ": inputs " + Arrays.toString(first.shape) + " and "
                            + Arrays.toString(t.shape) + " differ outside axis " + axis);
                }
            }
            shape[axis] += t.shape[axis];
        }
        int outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= shape[i];
        }
        int inner = 1;
        for (int i = axis + 1; i < rank; i++) {
            inner *= shape[i];
        }
        NdArray out = first.isFloat() ? NdArray.ofFloats(shape, buffers.take(NdArray.size(shape)))
                : NdArray.zerosLike(first, shape);
        int outRow = shape[axis] * inner;
        int at = 0;
        for (NdArray t : in) {
            int block = t.shape[axis] * inner;
            for (int o = 0; o < outer; o++) {
                Object src = t.isFloat() ? t.floats : t.longs;
                Object dst = out.isFloat() ? out.floats : out.longs;
                System.arraycopy(src, o * block, dst, o * outRow + at, block);
            }
            at += block;
        }
        return new NdArray[] {out};
    }
}
