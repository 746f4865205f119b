package org.sparoa.backend.sparse.internal;

import java.util.Arrays;

import org.sparoa.api.Node;

/**
 * Split along one axis into the node's outputs, float32 or int64. The part sizes come from the {@code split} input
 * (opset 13+) or attribute (before); without them the axis is divided evenly, the last part taking the remainder when
 * {@code num_outputs} (opset 18) does not divide it.
 */
final class Split implements PooledKernel {
    private final Node node;
    private final long axisAttr;
    private final long[] splitAttr;
    private final int parts;

    Split(Node node) {
        this.node = node;
        this.axisAttr = node.attrLong("axis", 0);
        this.splitAttr = node.attrLongs("split", null);
        this.parts = node.outputs().size();
    }

    @Override
    public NdArray[] run(NdArray[] in, Parallel parallel, FloatArrayPool.Lease buffers) {
        NdArray x = in[0];
        int r = x.rank();
        int axis = (int) (axisAttr < 0 ? axisAttr + r : axisAttr);
        if (axis < 0 || axis >= r) {
            throw new IllegalArgumentException(node + ": axis " + axisAttr + " out of range for " + x);
        }
        int dim = x.shape[axis];
        long[] sizes = in.length > 1 && in[1] != null ? in[1].asLongs() : splitAttr;
        if (sizes == null) {
            sizes = new long[parts];
            long each = (dim + parts - 1) / parts;
            for (int i = 0; i < parts; i++) {
                sizes[i] = Math.max(0, Math.min(each, dim - each * i));
            }
        }
        long total = 0;
        for (long s : sizes) {
            if (s < 0) {
                throw new IllegalArgumentException(node + ": negative part size in " + Arrays.toString(sizes));
            }
            total += s;
        }
        if (sizes.length != parts || total != dim) {
            throw new IllegalArgumentException(node + ": parts " + Arrays.toString(sizes) + " do not split axis " + axis
                    + " of " + x + " into " + parts + " outputs");
        }
        int outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= x.shape[i];
        }
        int inner = 1;
        for (int i = axis + 1; i < r; i++) {
            inner *= x.shape[i];
        }
        NdArray[] out = new NdArray[parts];
        int at = 0;
        for (int p = 0; p < parts; p++) {
            int[] shape = x.shape.clone();
            shape[axis] = (int) sizes[p];
            int block = shape[axis] * inner;
            out[p] = x.isFloat() ? NdArray.ofFloats(shape, buffers.take(NdArray.size(shape))) : NdArray.zerosLike(x, shape);
            for (int o = 0; o < outer; o++) {
                System.arraycopy(x.isFloat() ? x.floats : x.longs, o * dim * inner + at,
                        out[p].isFloat() ? out[p].floats : out[p].longs, o * block, block);
            }
            at += block;
        }
        return out;
    }
}
