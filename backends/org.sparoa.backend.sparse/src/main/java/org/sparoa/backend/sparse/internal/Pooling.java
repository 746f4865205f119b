package org.sparoa.backend.sparse.internal;

import java.util.Arrays;

import org.sparoa.api.Node;

/** MaxPool and AveragePool over any number of spatial axes (NC + spatial layout). */
final class Pooling implements Kernel {
    private final Node node;
    private final boolean max;
    private final int[] kernel;
    private final boolean ceilMode;
    private final boolean countIncludePad;

    Pooling(Node node, boolean max) {
        this.node = node;
        this.max = max;
        long[] k = node.attrLongs("kernel_shape", null);
        if (k == null) {
            throw new IllegalArgumentException(node + ": kernel_shape is required");
        }
        this.kernel = Arrays.stream(k).mapToInt(Math::toIntExact).toArray();
        this.ceilMode = node.attrLong("ceil_mode", 0) != 0;
        this.countIncludePad = node.attrLong("count_include_pad", 0) != 0;
    }

    @Override
    public NdArray[] run(NdArray[] in, Parallel parallel) {
        NdArray x = in[0];
        int d = kernel.length;
        if (x.rank() != d + 2) {
            throw new IllegalArgumentException(node + ": input " + x + " does not have " + d + " spatial axes");
        }
        int[] spatial = Arrays.copyOfRange(x.shape, 2, x.rank());
        WindowGeometry g = WindowGeometry.of(node, spatial, kernel, ceilMode);
        int planes = x.shape[0] * x.shape[1];
        int inCount = g.inCount();
        int outCount = g.outCount();
        float[] a = x.asFloats();
        float[] y = new float[planes * outCount];
        int[] inStride = new int[d];
        int s = 1;
        for (int i = d - 1; i >= 0; i--) {
            inStride[i] = s;
            s *= spatial[i];
        }
        parallel.forRange(planes, 1, (from, to) -> {
            int[] opos = new int[d];
            int[] tap = new int[d];
            for (int p = from; p < to; p++) {
                int inBase = p * inCount;
                Arrays.fill(opos, 0);
                for (int o = 0; o < outCount; o++) {
                    y[p * outCount + o] = window(a, inBase, g, inStride, opos, tap);
                    for (int ax = d - 1; ax >= 0; ax--) {
                        if (++opos[ax] < g.outSize[ax]) {
                            break;
                        }
                        opos[ax] = 0;
                    }
                }
            }
        });
        int[] outShape = new int[d + 2];
        outShape[0] = x.shape[0];
        outShape[1] = x.shape[1];
        System.arraycopy(g.outSize, 0, outShape, 2, d);
        return new NdArray[] {NdArray.ofFloats(outShape, y)};
    }

    private float window(float[] a, int inBase, WindowGeometry g, int[] inStride, int[] opos, int[] tap) {
        int d = kernel.length;
        Arrays.fill(tap, 0);
        float best = Float.NEGATIVE_INFINITY;
        double sum = 0;
        int valid = 0;
        int padded = 0;
        while (true) {
            boolean inside = true;
            boolean insidePadded = true;
            int off = inBase;
            for (int ax = 0; ax < d; ax++) {
                int c = opos[ax] * g.strides[ax] - g.padBegin[ax] + tap[ax] * g.dilations[ax];
                if (c < 0 || c >= g.inSize[ax]) {
                    inside = false;
                    if (c < -g.padBegin[ax] || c >= g.inSize[ax] + g.padEnd[ax]) {
                        insidePadded = false;
                    }
                } else {
                    off += c * inStride[ax];
                }
            }
            if (insidePadded) {
                padded++;
            }
            if (inside) {
                valid++;
                float v = a[off];
                if (max) {
                    if (v > best || Float.isNaN(v)) {
                        best = v;
                    }
                } else {
                    sum += v;
                }
            }
            int ax = d - 1;
            for (; ax >= 0; ax--) {
                if (++tap[ax] < kernel[ax]) {
                    break;
                }
                tap[ax] = 0;
            }
            if (ax < 0) {
                break;
            }
        }
        if (max) {
            return best;
        }
        int count = countIncludePad ? padded : valid;
        return count == 0 ? 0f : (float) (sum / count);
    }
}
