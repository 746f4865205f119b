package org.sparoa.backend.sparse.internal;

import java.util.Arrays;

import org.sparoa.api.Node;

/**
 * Spatial geometry of a sliding-window operator (Conv, pools): kernel, strides, dilations and the begin/end
 * padding per spatial axis resolved from {@code pads} or {@code auto_pad}, and the output size.
 */
final class WindowGeometry {
    final int[] kernel;
    final int[] strides;
    final int[] dilations;
    final int[] padBegin;
    final int[] padEnd;
    final int[] inSize;
    final int[] outSize;

    private WindowGeometry(int[] kernel, int[] strides, int[] dilations, int[] padBegin, int[] padEnd,
                           int[] inSize, int[] outSize) {
        this.kernel = kernel;
        this.strides = strides;
        this.dilations = dilations;
        this.padBegin = padBegin;
        this.padEnd = padEnd;
        this.inSize = inSize;
        this.outSize = outSize;
    }

    /**
     * Resolves the geometry of {@code node} for spatial input size {@code in} and kernel size {@code kernel}
     * (from the weights for Conv, from {@code kernel_shape} for pools).
     */
    static WindowGeometry of(Node node, int[] in, int[] kernel, boolean ceilMode) {
        int d = in.length;
        int[] strides = ints(node.attrLongs("strides", null), d, 1, node, "strides");
        int[] dil = ints(node.attrLongs("dilations", null), d, 1, node, "dilations");
        String autoPad = node.attrString("auto_pad", "NOTSET");
        int[] pb = new int[d];
        int[] pe = new int[d];
        int[] out = new int[d];
        long[] pads = node.attrLongs("pads", null);
        if (pads != null && pads.length != 2 * d) {
            throw new IllegalArgumentException(node + ": pads has " + pads.length + " values, expected " + 2 * d);
        }
        for (int i = 0; i < d; i++) {
            int ext = (kernel[i] - 1) * dil[i] + 1;
            switch (autoPad) {
                case "SAME_UPPER", "SAME_LOWER" -> {
                    out[i] = ceilDiv(in[i], strides[i]);
                    int total = Math.max(0, (out[i] - 1) * strides[i] + ext - in[i]);
                    boolean upper = autoPad.equals("SAME_UPPER");
                    pb[i] = upper ? total / 2 : total - total / 2;
                    pe[i] = total - pb[i];
                }
                case "VALID" -> out[i] = Math.max(0, (in[i] - ext) / strides[i] + 1);
                case "NOTSET", "" -> {
                    if (pads != null) {
                        pb[i] = (int) pads[i];
                        pe[i] = (int) pads[i + d];
                    }
                    int span = in[i] + pb[i] + pe[i] - ext;
                    out[i] = (ceilMode ? ceilDiv(span, strides[i]) : Math.floorDiv(span, strides[i])) + 1;
                    if (ceilMode && (out[i] - 1) * strides[i] >= in[i] + pb[i]) {
                        out[i]--; // the last window must start inside the input or its begin padding
                    }
                }
                default -> throw new IllegalArgumentException(node + ": unknown auto_pad '" + autoPad + "'");
            }
            if (out[i] <= 0) {
                throw new IllegalArgumentException(node + ": window " + Arrays.toString(kernel)
                        + " does not fit input " + Arrays.toString(in));
            }
        }
        return new WindowGeometry(kernel, strides, dil, pb, pe, in.clone(), out);
    }

    private static int[] ints(long[] v, int d, int dflt, Node node, String attr) {
        int[] r = new int[d];
        Arrays.fill(r, dflt);
        if (v != null) {
            if (v.length != d) {
                throw new IllegalArgumentException(node + ": " + attr + " has " + v.length + " values, expected " + d);
            }
            for (int i = 0; i < d; i++) {
                r[i] = Math.toIntExact(v[i]);
            }
        }
        return r;
    }

    /** 2-D: the first output column whose window starts inside the input row (reaches no left padding). */
    int firstInsideColumn() {
        return Math.min(outSize[1], Math.max(0, ceilDiv(padBegin[1], strides[1])));
    }

    /**
     * 2-D: one past the last output column whose window lies inside the input row; columns from
     * {@link #firstInsideColumn()} up to it read no padding.
     */
    int endInsideColumn() {
        return Math.max(firstInsideColumn(), Math.min(outSize[1],
                Math.floorDiv(inSize[1] - 1 - (kernel[1] - 1) * dilations[1] + padBegin[1], strides[1]) + 1));
    }

    static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    /**
     * One input row read through padding: {@code dst[off + j] = src[rowStart + x0 + j * stride]} for
     * {@code j < len} where column {@code x0 + j * stride} lies in {@code [0, width)}, zero where it does not.
     * The shared step of im2col and of the zero-padded (phase) planes the vector kernels read.
     */
    static void readRow(float[] src, int rowStart, int width, int x0, int stride, float[] dst, int off, int len) {
        // outputs j in [lo, hi) read inside the row; the rest read padding
        int lo = Math.min(len, Math.max(0, ceilDiv(-x0, stride)));
        int hi = Math.max(lo, Math.min(len, ceilDiv(width - x0, stride)));
        java.util.Arrays.fill(dst, off, off + lo, 0f);
        java.util.Arrays.fill(dst, off + hi, off + len, 0f);
        if (stride == 1) {
            System.arraycopy(src, rowStart + x0 + lo, dst, off + lo, hi - lo);
        } else {
            for (int j = lo, i = rowStart + x0 + lo * stride; j < hi; j++, i += stride) {
                dst[off + j] = src[i];
            }
        }
    }

    int outCount() {
        int n = 1;
        for (int o : outSize) {
            n *= o;
        }
        return n;
    }

    int inCount() {
        int n = 1;
        for (int o : inSize) {
            n *= o;
        }
        return n;
    }
}
