package org.sparoa.backend.cuda.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.sparoa.api.Node;

/**
 * ONNX's shape rules for the data-movement operators, shared by the host (constant folding) and the device
 * lowering, so both read the attributes the same way.
 */
final class ShapeRules {
    private ShapeRules() {
    }

    static int axis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException("axis " + axis + " is out of range for rank " + rank);
        }
        return (int) a;
    }

    /** Reshape's target: 0 copies the input dimension (unless allowzero), one -1 takes what is left. */
    static long[] reshape(long[] in, long[] target, boolean allowZero) {
        long[] out = target.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == 0 && !allowZero) {
                if (i >= in.length) {
                    throw new IllegalArgumentException("reshape target " + Arrays.toString(target) + " copies axis " + i
                            + " of a rank-" + in.length + " input");
                }
                out[i] = in[i];
            }
            if (out[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("reshape target " + Arrays.toString(target) + " has two -1");
                }
                infer = i;
            } else {
                known *= out[i];
            }
        }
        long total = Broadcast.count(in);
        if (infer >= 0) {
            if (known == 0 || total % known != 0) {
                throw new IllegalArgumentException("cannot reshape " + Arrays.toString(in) + " to " + Arrays.toString(target));
            }
            out[infer] = total / known;
        } else if (known != total) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(in) + " to " + Arrays.toString(target));
        }
        return out;
    }

    static long[] flatten(long[] in, long axisAttr) {
        int axis = (int) (axisAttr < 0 ? axisAttr + in.length : axisAttr);
        long outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= in[i];
        }
        return new long[] {outer, Broadcast.count(in) / Math.max(outer, 1)};
    }

    static long[] squeeze(long[] in, long[] axes) {
        boolean[] drop = new boolean[in.length];
        if (axes == null || axes.length == 0) {
            for (int i = 0; i < in.length; i++) {
                drop[i] = in[i] == 1;
            }
        } else {
            for (long a : axes) {
                int ax = axis(a, in.length);
                if (in[ax] != 1) {
                    throw new IllegalArgumentException("cannot squeeze axis " + a + " of size " + in[ax]);
                }
                drop[ax] = true;
            }
        }
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < in.length; i++) {
            if (!drop[i]) {
                out.add(in[i]);
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    static long[] unsqueeze(long[] in, long[] axes) {
        int rank = in.length + axes.length;
        boolean[] added = new boolean[rank];
        for (long a : axes) {
            added[axis(a, rank)] = true;
        }
        long[] out = new long[rank];
        int j = 0;
        for (int i = 0; i < rank; i++) {
            out[i] = added[i] ? 1 : in[j++];
        }
        return out;
    }

    static int[] perm(Node node, int rank) {
        long[] p = node.attrLongs("perm", null);
        int[] perm = new int[rank];
        for (int i = 0; i < rank; i++) {
            perm[i] = p == null ? rank - 1 - i : (int) p[i];
        }
        return perm;
    }

    /** A slice as per-axis start and step (steps may be negative) and the output shape. */
    record SliceView(long[] start, long[] step, long[] shape) {
    }

    static SliceView slice(long[] in, long[] starts, long[] ends, long[] axes, long[] steps) {
        int rank = in.length;
        long[] start = new long[rank];
        long[] step = new long[rank];
        long[] shape = in.clone();
        Arrays.fill(step, 1);
        for (int i = 0; i < starts.length; i++) {
            int ax = axis(axes == null ? i : axes[i], rank);
            long st = steps == null ? 1 : steps[i];
            if (st == 0) {
                throw new IllegalArgumentException("slice step 0 on axis " + ax);
            }
            long dim = in[ax];
            long s = starts[i];
            long e = ends[i];
            s = s < 0 ? s + dim : s;
            e = e < 0 ? e + dim : e;
            long n;
            if (st > 0) {
                s = clamp(s, 0, dim);
                e = clamp(e, 0, dim);
                n = e > s ? (e - s + st - 1) / st : 0;
            } else {
                s = clamp(s, -1, dim - 1);
                e = clamp(e, -1, dim - 1);
                n = s > e ? (s - e + (-st) - 1) / (-st) : 0;
            }
            start[ax] = s;
            step[ax] = st;
            shape[ax] = n;
        }
        return new SliceView(start, step, shape);
    }

    private static long clamp(long v, long lo, long hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    /** The sizes of Split's outputs along {@code axis}. */
    static long[] splitSizes(long dim, long[] split, int outputs) {
        if (split != null && split.length > 0) {
            if (Arrays.stream(split).sum() != dim) {
                throw new IllegalArgumentException("split " + Arrays.toString(split) + " does not sum to " + dim);
            }
            return split;
        }
        long[] s = new long[outputs];
        long each = (dim + outputs - 1) / outputs;
        long left = dim;
        for (int i = 0; i < outputs; i++) {
            s[i] = Math.min(each, left);
            left -= s[i];
        }
        return s;
    }

    /** Output size of a convolution or pooling window along one axis. */
    static long windowOutput(long in, long kernel, long stride, long padBegin, long padEnd, long dilation, boolean ceil) {
        long span = dilation * (kernel - 1) + 1;
        long num = in + padBegin + padEnd - span;
        long out = (ceil ? Math.floorDiv(num + stride - 1, stride) : Math.floorDiv(num, stride)) + 1;
        if (ceil && (out - 1) * stride >= in + padBegin) {
            out--; // the last window must start inside the input or its left padding
        }
        return out;
    }
}
