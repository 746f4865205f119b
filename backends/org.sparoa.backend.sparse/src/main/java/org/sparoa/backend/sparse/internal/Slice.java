package org.sparoa.backend.sparse.internal;

import java.util.Arrays;

import org.sparoa.api.Node;

/**
 * Slice, float32 or int64: per axis a start, an end and a step (negative steps walk backwards), clamped as the
 * operator defines. From opset 10 they are inputs (starts, ends, optional axes and steps); before, attributes.
 */
final class Slice implements PooledKernel {
    private final Node node;
    private final long opset;

    Slice(Node node, long opset) {
        this.node = node;
        this.opset = opset;
    }

    @Override
    public NdArray[] run(NdArray[] in, Parallel parallel, FloatArrayPool.Lease buffers) {
        NdArray x = in[0];
        long[] starts;
        long[] ends;
        long[] axes;
        long[] steps;
        if (opset < 10) {
            starts = node.attrLongs("starts", null);
            ends = node.attrLongs("ends", null);
            axes = node.attrLongs("axes", null);
            steps = null;
        } else {
            starts = in[1].asLongs();
            ends = in[2].asLongs();
            axes = in.length > 3 && in[3] != null ? in[3].asLongs() : null;
            steps = in.length > 4 && in[4] != null ? in[4].asLongs() : null;
        }
        if (starts == null || ends == null || starts.length != ends.length
                || (axes != null && axes.length != starts.length) || (steps != null && steps.length != starts.length)) {
            throw new IllegalArgumentException(node + ": starts, ends, axes and steps must have one value per sliced axis");
        }
        int r = x.rank();
        int[] begin = new int[r];
        int[] step = new int[r];
        int[] shape = x.shape.clone();
        Arrays.fill(step, 1);
        boolean[] seen = new boolean[r];
        for (int i = 0; i < starts.length; i++) {
            long a = axes == null ? i : axes[i];
            int axis = (int) (a < 0 ? a + r : a);
            if (axis < 0 || axis >= r || seen[axis]) {
                throw new IllegalArgumentException(node + ": axis " + a + " is out of range or repeated for " + x);
            }
            seen[axis] = true;
            long st = steps == null ? 1 : steps[i];
            if (st == 0) {
                throw new IllegalArgumentException(node + ": step 0 on axis " + a);
            }
            long dim = x.shape[axis];
            long s = starts[i] < 0 ? starts[i] + dim : starts[i];
            long e = ends[i] < 0 ? ends[i] + dim : ends[i];
            long count;
            if (st > 0) {
                s = Math.max(0, Math.min(dim, s));
                e = Math.max(0, Math.min(dim, e));
                count = e > s ? (e - s + st - 1) / st : 0;
            } else {
                s = Math.max(-1, Math.min(dim - 1, s));
                e = Math.max(-1, Math.min(dim - 1, e));
                count = s > e ? (s - e - st - 1) / -st : 0;
            }
            begin[axis] = (int) s;
            step[axis] = (int) st;
            shape[axis] = (int) count;
        }
        int n = NdArray.size(shape);
        NdArray out = x.isFloat() ? NdArray.ofFloats(shape, buffers.take(n)) : NdArray.zerosLike(x, shape);
        int[] inStride = NdArray.strides(x.shape);
        int base = 0;
        int[] st = new int[r];
        for (int i = 0; i < r; i++) {
            base += begin[i] * inStride[i];
            st[i] = step[i] * inStride[i];
        }
        x.gatherInto(base, st, out);
        return new NdArray[] {out};
    }
}
