package org.sparoa.backend.sparse.internal;

import java.util.Arrays;

import org.sparoa.api.Node;

/**
 * ReduceMean of float32 data over the axes of the {@code axes} attribute (before opset 18) or input (from opset 18),
 * all axes when none are given (unless {@code noop_with_empty_axes}), keeping the reduced axes as 1 when
 * {@code keepdims} (default). A layer normalisation's mean over the last axis sums contiguous rows; other axes walk
 * the input with strides. Sums are kept in double.
 */
final class ReduceMean implements PooledKernel {
    private final Node node;
    private final boolean axesFromInput;

    ReduceMean(Node node, long opset) {
        this.node = node;
        this.axesFromInput = opset >= 18;
    }

    @Override
    public NdArray[] run(NdArray[] in, Parallel parallel, FloatArrayPool.Lease buffers) {
        NdArray x = in[0];
        if (!x.isFloat()) {
            throw new IllegalArgumentException(node + ": input must be float32, got " + x);
        }
        int r = x.rank();
        long[] axes = axesFromInput ? (in.length > 1 && in[1] != null ? in[1].asLongs() : null)
                : node.attrLongs("axes", null);
        boolean[] reduced = new boolean[r];
        if (axes == null || axes.length == 0) {
            if (axesFromInput && node.attrLong("noop_with_empty_axes", 0) != 0) {
                float[] copy = buffers.take(x.size());
                System.arraycopy(x.floats, 0, copy, 0, x.size());
                return new NdArray[] {NdArray.ofFloats(x.shape.clone(), copy)};
            }
            Arrays.fill(reduced, true);
        } else {
            for (long a : axes) {
                long axis = a < 0 ? a + r : a;
                if (axis < 0 || axis >= r) {
                    throw new IllegalArgumentException(node + ": axis " + a + " out of range for " + x);
                }
                reduced[(int) axis] = true;
            }
        }
        boolean keep = node.attrLong("keepdims", 1) != 0;
        int[] kept = new int[r];
        int outRank = 0;
        for (int i = 0; i < r; i++) {
            kept[i] = reduced[i] ? 1 : x.shape[i];
            if (!reduced[i] || keep) {
                outRank++;
            }
        }
        int[] outShape = new int[outRank];
        for (int i = 0, j = 0; i < r; i++) {
            if (!reduced[i] || keep) {
                outShape[j++] = kept[i];
            }
        }
        int outSize = NdArray.size(kept);
        int count = x.size() / Math.max(1, outSize);
        float[] y = buffers.take(outSize);
        float[] a = x.floats;
        int trailing = r;
        while (trailing > 0 && reduced[trailing - 1]) {
            trailing--;
        }
        boolean onlyTrailing = true;
        for (int i = 0; i < trailing; i++) {
            onlyTrailing &= !reduced[i];
        }
        if (onlyTrailing) {
            // the reduced axes are the last ones: each output is the mean of one contiguous row
            parallel.forRange(outSize, Math.max(1, (1 << 14) / Math.max(1, count)), (from, to) -> {
                for (int o = from; o < to; o++) {
                    double s = 0;
                    int base = o * count;
                    for (int j = 0; j < count; j++) {
                        s += a[base + j];
                    }
                    y[o] = (float) (s / count);
                }
            });
        } else {
            double[] sums = new double[outSize];
            int[] outStrides = new int[r];
            for (int i = r - 1, s = 1; i >= 0; i--) {
                outStrides[i] = reduced[i] ? 0 : s;
                s *= kept[i];
            }
            int[] pos = new int[r];
            int o = 0;
            for (int i = 0; i < a.length; i++) {
                sums[o] += a[i];
                for (int ax = r - 1; ax >= 0; ax--) {
                    pos[ax]++;
                    o += outStrides[ax];
                    if (pos[ax] < x.shape[ax]) {
                        break;
                    }
                    o -= outStrides[ax] * x.shape[ax];
                    pos[ax] = 0;
                }
            }
            for (int i = 0; i < outSize; i++) {
                y[i] = (float) (sums[i] / count);
            }
        }
        return new NdArray[] {NdArray.ofFloats(outShape, y)};
    }
}
