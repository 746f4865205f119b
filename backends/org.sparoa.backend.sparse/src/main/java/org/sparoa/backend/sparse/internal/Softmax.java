package org.sparoa.backend.sparse.internal;

import org.sparoa.api.Node;

/**
 * Softmax. From opset 13 over one axis (default -1); before opset 13 the input is seen as 2-D, split at
 * {@code axis} (default 1), and the softmax runs over the whole second part.
 */
final class Softmax implements Kernel {
    private final Node node;
    private final boolean legacy;

    Softmax(Node node, long opset) {
        this.node = node;
        this.legacy = opset < 13;
    }

    @Override
    public NdArray[] run(NdArray[] in, Parallel parallel) {
        NdArray x = in[0];
        int r = x.rank();
        long axisAttr = node.attrLong("axis", legacy ? 1 : -1);
        int axis = (int) (axisAttr < 0 ? axisAttr + r : axisAttr);
        if (axis < 0 || axis >= Math.max(1, r)) {
            throw new IllegalArgumentException(node + ": axis " + axisAttr + " out of range for " + x);
        }
        int outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= x.shape[i];
        }
        int n;
        int inner;
        if (legacy) {
            n = x.size() / Math.max(1, outer);
            inner = 1;
        } else {
            n = r == 0 ? 1 : x.shape[axis];
            inner = 1;
            for (int i = axis + 1; i < r; i++) {
                inner *= x.shape[i];
            }
        }
        float[] a = x.asFloats();
        float[] y = new float[a.length];
        int len = n;
        int step = inner;
        if (step == 1 && Simd.enabled()) {
            // rows are contiguous (the last axis, as attention's): a row per task chunk, vectorised
            parallel.forRange(outer, Math.max(1, 4096 / Math.max(1, len)), (from, to) -> {
                for (int q = from; q < to; q++) {
                    VectorKernels.softmaxRow(a, y, q * len, len);
                }
            });
            return new NdArray[] {NdArray.ofFloats(x.shape, y)};
        }
        parallel.forRange(outer * inner, 64, (from, to) -> {
            for (int q = from; q < to; q++) {
                int base = (q / step) * len * step + q % step;
                float mx = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < len; j++) {
                    mx = Math.max(mx, a[base + j * step]);
                }
                double sum = 0;
                for (int j = 0; j < len; j++) {
                    float e = ElementwiseUnary.exp(a[base + j * step] - mx);
                    y[base + j * step] = e;
                    sum += e;
                }
                float inv = (float) (1.0 / sum);
                for (int j = 0; j < len; j++) {
                    y[base + j * step] *= inv;
                }
            }
        });
        return new NdArray[] {NdArray.ofFloats(x.shape, y)};
    }
}
