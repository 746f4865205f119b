package org.sparoa.backend.sparse.internal;

import java.util.Arrays;

import org.sparoa.api.Node;

/**
 * Resize with modes nearest and linear (multi-linear), scales or sizes, optional axes and keep_aspect_ratio_policy.
 * Both modes are separable, so the tensor is resized one axis at a time; the common case of a 4-D tensor resized in
 * its two spatial axes only (an NCHW upsampling) is done in one pass straight into a pooled output, each input row
 * interpolated along the columns once and each output row blended from (at most) two of those.
 */
final class Resize implements PooledKernel {
    private final Node node;
    private final boolean linear;
    private final String transform;
    private final String nearestMode;
    private final String aspectPolicy;
    private final long[] axesAttr;

    Resize(Node node) {
        this.node = node;
        String mode = node.attrString("mode", "nearest");
        if (!mode.equals("nearest") && !mode.equals("linear")) {
            throw new IllegalArgumentException(node + ": resize mode '" + mode + "' is not supported (nearest, linear)");
        }
        this.linear = mode.equals("linear");
        this.transform = node.attrString("coordinate_transformation_mode", "half_pixel");
        this.nearestMode = node.attrString("nearest_mode", "round_prefer_floor");
        this.aspectPolicy = node.attrString("keep_aspect_ratio_policy", "stretch");
        this.axesAttr = node.attrLongs("axes", null);
    }

    /** Where output position {@code o} of one axis reads: {@code (1 - w1) * in[i0] + w1 * in[i1]}, or in[i0]. */
    private record AxisMap(int[] i0, int[] i1, float[] w1) {
    }

    @Override
    public NdArray[] run(NdArray[] in, Parallel parallel, FloatArrayPool.Lease buffers) {
        NdArray x = in[0];
        int r = x.rank();
        int[] axes = new int[axesAttr == null ? r : axesAttr.length];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = axesAttr == null ? i : (int) (axesAttr[i] < 0 ? axesAttr[i] + r : axesAttr[i]);
        }
        double[] scale = new double[r];
        int[] outShape = x.shape.clone();
        Arrays.fill(scale, 1.0);
        NdArray scales = in.length > 2 ? in[2] : null;
        NdArray sizes = in.length > 3 ? in[3] : null;
        if (sizes != null && sizes.size() > 0) {
            long[] sz = sizes.asLongs();
            requireLength(sz.length, axes.length, "sizes");
            double keep = aspectPolicy.equals("not_larger") ? Double.MAX_VALUE : 0;
            for (int i = 0; i < axes.length; i++) {
                double s = (double) sz[i] / x.shape[axes[i]];
                keep = aspectPolicy.equals("not_larger") ? Math.min(keep, s) : Math.max(keep, s);
            }
            for (int i = 0; i < axes.length; i++) {
                int a = axes[i];
                if (aspectPolicy.equals("stretch")) {
                    outShape[a] = (int) sz[i];
                    scale[a] = (double) sz[i] / x.shape[a];
                } else {
                    outShape[a] = (int) Math.round(x.shape[a] * keep);
                    scale[a] = keep;
                }
            }
        } else if (scales != null && scales.size() > 0) {
            float[] sc = scales.asFloats();
            requireLength(sc.length, axes.length, "scales");
            for (int i = 0; i < axes.length; i++) {
                int a = axes[i];
                scale[a] = sc[i];
                outShape[a] = (int) Math.floor(x.shape[a] * (double) sc[i]);
            }
        } else {
            throw new IllegalArgumentException(node + ": needs scales or sizes");
        }
        float[] data = x.asFloats();
        int[] shape = x.shape.clone();
        if (r == 4 && !resizes(x.shape, outShape, scale, 0) && !resizes(x.shape, outShape, scale, 1)) {
            AxisMap rows = map(x.shape[2], outShape[2], scale[2], resizes(x.shape, outShape, scale, 2));
            AxisMap cols = map(x.shape[3], outShape[3], scale[3], resizes(x.shape, outShape, scale, 3));
            return new NdArray[] {NdArray.ofFloats(outShape, resizePlanes(data, x.shape, outShape, rows, cols,
                    parallel, buffers))};
        }
        for (int a = 0; a < r; a++) {
            if (resizes(shape, outShape, scale, a)) {
                data = resizeAxis(data, shape, a, outShape[a], scale[a], parallel);
                shape[a] = outShape[a];
            }
        }
        return new NdArray[] {NdArray.ofFloats(shape, data)};
    }

    private void requireLength(int got, int expected, String what) {
        if (got != expected) {
            throw new IllegalArgumentException(node + ": " + what + " has " + got + " values, expected " + expected);
        }
    }

    /** Whether axis {@code a} changes (the separable path skips the others). */
    private static boolean resizes(int[] shape, int[] outShape, double[] scale, int a) {
        return outShape[a] != shape[a] || scale[a] != 1.0;
    }

    /**
     * Both spatial axes of a 4-D tensor in one pass: each input row a task needs is interpolated along the columns
     * once (the scattered reads), and every output row is then one or two of those rows blended, a contiguous loop
     * the JIT vectorises; for nearest, or a row that falls on an input row, a copy. Rows are split over threads;
     * the output array comes from the pool. (Columns first, where the axis-by-axis path goes rows first: the same
     * values up to float rounding.)
     */
    private static float[] resizePlanes(float[] x, int[] shape, int[] outShape, AxisMap rows, AxisMap cols,
                                        Parallel parallel, FloatArrayPool.Lease buffers) {
        int h = shape[2];
        int w = shape[3];
        int oh = outShape[2];
        int ow = outShape[3];
        float[] y = buffers.take(shape[0] * shape[1] * oh * ow);
        parallel.forRange(shape[0] * shape[1] * oh, Math.max(1, (1 << 14) / Math.max(1, ow)), (from, to) -> {
            // two interpolated input rows, by (plane * h + input row); consecutive output rows mostly reuse them
            float[][] cached = {new float[ow], new float[ow]};
            int[] key = {-1, -1};
            for (int row = from; row < to; row++) {
                int plane = row / oh;
                int oy = row % oh;
                float wb = rows.w1()[oy];
                float[] top = interpolated(x, plane * h + rows.i0()[oy], w, cols, cached, key, -1);
                int dst = row * ow;
                if (wb == 0f) {
                    System.arraycopy(top, 0, y, dst, ow);
                } else {
                    float[] bottom = interpolated(x, plane * h + rows.i1()[oy], w, cols, cached, key,
                            plane * h + rows.i0()[oy]);
                    float wa = 1f - wb;
                    for (int ox = 0; ox < ow; ox++) {
                        y[dst + ox] = wa * top[ox] + wb * bottom[ox];
                    }
                }
            }
        });
        return y;
    }

    /**
     * Input row {@code inRow} (plane * h + row) interpolated along the columns, from the two-slot cache or computed
     * into the slot that does not hold {@code keep} (the row the caller still uses).
     */
    private static float[] interpolated(float[] x, int inRow, int w, AxisMap cols, float[][] cached, int[] key,
                                        int keep) {
        for (int s = 0; s < 2; s++) {
            if (key[s] == inRow) {
                return cached[s];
            }
        }
        int s = key[0] == keep ? 1 : 0;
        float[] out = cached[s];
        int[] c0 = cols.i0();
        int[] c1 = cols.i1();
        float[] cw = cols.w1();
        int a = inRow * w;
        for (int ox = 0; ox < out.length; ox++) {
            float xb = cw[ox];
            out[ox] = xb == 0f ? x[a + c0[ox]] : (1f - xb) * x[a + c0[ox]] + xb * x[a + c1[ox]];
        }
        key[s] = inRow;
        return out;
    }

    /** The read positions of one axis; an axis the separable path would leave alone maps every position to itself. */
    private AxisMap map(int inLen, int outLen, double scale, boolean resized) {
        int[] i0 = new int[outLen];
        int[] i1 = new int[outLen];
        float[] w1 = new float[outLen];
        for (int o = 0; o < outLen; o++) {
            if (!resized) {
                i0[o] = o;
                i1[o] = o;
                continue;
            }
            double c = original(o, inLen, outLen, scale);
            if (linear) {
                c = Math.max(0, Math.min(inLen - 1, c));
                int lo = (int) Math.floor(c);
                i0[o] = lo;
                i1[o] = Math.min(lo + 1, inLen - 1);
                w1[o] = (float) (c - lo);
            } else {
                i0[o] = Math.max(0, Math.min(inLen - 1, nearest(c)));
                i1[o] = i0[o];
            }
        }
        return new AxisMap(i0, i1, w1);
    }

    private float[] resizeAxis(float[] x, int[] shape, int axis, int outLen, double scale, Parallel parallel) {
        int inLen = shape[axis];
        int outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= shape[i];
        }
        int inner = 1;
        for (int i = axis + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        AxisMap map = map(inLen, outLen, scale, true);
        int[] i0 = map.i0();
        int[] i1 = map.i1();
        float[] w1 = map.w1();
        float[] y = new float[outer * outLen * inner];
        if (inner == 1) {
            // the last axis: one element per output, no per-element arraycopy
            parallel.forRange(outer, Math.max(1, (1 << 14) / Math.max(1, outLen)), (from, to) -> {
                for (int p = from; p < to; p++) {
                    int src = p * inLen;
                    int dst = p * outLen;
                    for (int o = 0; o < outLen; o++) {
                        float wb = w1[o];
                        y[dst + o] = wb == 0f ? x[src + i0[o]] : (1f - wb) * x[src + i0[o]] + wb * x[src + i1[o]];
                    }
                }
            });
            return y;
        }
        for (int p = 0; p < outer; p++) {
            int src = p * inLen * inner;
            for (int o = 0; o < outLen; o++) {
                int dst = (p * outLen + o) * inner;
                int a = src + i0[o] * inner;
                int b = src + i1[o] * inner;
                float wb = w1[o];
                float wa = 1f - wb;
                if (wb == 0f) {
                    System.arraycopy(x, a, y, dst, inner);
                } else {
                    for (int j = 0; j < inner; j++) {
                        y[dst + j] = wa * x[a + j] + wb * x[b + j];
                    }
                }
            }
        }
        return y;
    }

    private double original(int o, int inLen, int outLen, double scale) {
        return switch (transform) {
            case "half_pixel" -> (o + 0.5) / scale - 0.5;
            case "half_pixel_symmetric" -> {
                double adj = outLen / (scale * inLen);
                double center = inLen / 2.0;
                yield center * (1 - adj) + (o + 0.5) / scale - 0.5;
            }
            case "pytorch_half_pixel" -> outLen > 1 ? (o + 0.5) / scale - 0.5 : 0;
            case "align_corners" -> {
                double resized = inLen * scale; // the real-valued output length, as the ONNX reference uses it
                yield resized <= 1 ? 0 : o * (inLen - 1) / (resized - 1);
            }
            case "asymmetric" -> o / scale;
            case "tf_half_pixel_for_nearest" -> (o + 0.5) / scale;
            default -> throw new IllegalArgumentException(node + ": coordinate_transformation_mode '" + transform
                    + "' is not supported");
        };
    }

    private int nearest(double c) {
        return switch (nearestMode) {
            case "round_prefer_floor" -> c == Math.floor(c) + 0.5 ? (int) Math.floor(c) : (int) Math.round(c);
            case "round_prefer_ceil" -> (int) Math.round(c);
            case "floor" -> (int) Math.floor(c);
            case "ceil" -> (int) Math.ceil(c);
            default -> throw new IllegalArgumentException(node + ": nearest_mode '" + nearestMode + "' is not supported");
        };
    }

    @Override
    public String warmupKind() {
        return getClass().getSimpleName() + ":" + (linear ? "linear" : "nearest");
    }
}
