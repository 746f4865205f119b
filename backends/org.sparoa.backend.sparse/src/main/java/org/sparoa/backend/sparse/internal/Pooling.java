package org.sparoa.backend.sparse.internal;

import java.util.Arrays;

import org.sparoa.api.Node;

/** MaxPool and AveragePool over any number of spatial axes (NC + spatial layout). */
final class Pooling implements PooledKernel {
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
    public NdArray[] run(NdArray[] in, Parallel parallel, FloatArrayPool.Lease buffers) {
        NdArray x = in[0];
        int d = kernel.length;
        if (x.rank() != d + 2) {
            throw new IllegalArgumentException(node + ": input " + x + " does not have " + d + " spatial axes");
        }
        int[] spatial = Arrays.copyOfRange(x.shape, 2, x.rank());
        WindowGeometry g = WindowGeometry.of(node, spatial, kernel, ceilMode);
        int planes = x.shape[0] * x.shape[1];
        int outCount = g.outCount();
        float[] a = x.asFloats();
        float[] y = buffers.take(planes * outCount);
        int[] inStride = new int[d];
        int s = 1;
        for (int i = d - 1; i >= 0; i--) {
            inStride[i] = s;
            s *= spatial[i];
        }
        if (max && d == 2 && isPairwise(g)) {
            parallel.forRange(planes, 8, (from, to) -> maxPool2x2(a, y, g, from, to));
        } else if (max && d == 2 && isSlidingByOne(g)) {
            int oh = g.outSize[0];
            parallel.forRange(planes * oh, Math.max(1, 64 / Math.max(1, g.outSize[1] / 16)),
                    (from, to) -> maxPoolStrideOne(a, y, g, from, to));
        } else if (max && d == 2) {
            parallel.forRange(planes, 1, (from, to) -> maxPool2d(a, y, g, from, to));
        } else if (d == 2) {
            parallel.forRange(planes, 1, (from, to) -> averagePool2d(a, y, g, inStride, from, to));
        } else {
            parallel.forRange(planes, 1, (from, to) -> windows(a, y, g, inStride, from, to));
        }
        int[] outShape = new int[d + 2];
        outShape[0] = x.shape[0];
        outShape[1] = x.shape[1];
        System.arraycopy(g.outSize, 0, outShape, 2, d);
        return new NdArray[] {NdArray.ofFloats(outShape, y)};
    }

    /** 2x2 windows, stride 2, no dilation, every window inside the input (no padding reached). */
    private boolean isPairwise(WindowGeometry g) {
        return kernel[0] == 2 && kernel[1] == 2 && g.strides[0] == 2 && g.strides[1] == 2 && g.dilations[0] == 1
                && g.dilations[1] == 1 && g.padBegin[0] == 0 && g.padBegin[1] == 0
                && 2 * g.outSize[0] <= g.inSize[0] && 2 * g.outSize[1] <= g.inSize[1];
    }

    /** Stride 1 and no dilation on both axes: every input pixel belongs to up to kh x kw overlapping windows. */
    private boolean isSlidingByOne(WindowGeometry g) {
        return g.strides[0] == 1 && g.strides[1] == 1 && g.dilations[0] == 1 && g.dilations[1] == 1
                && kernel[0] * kernel[1] > 1;
    }

    /**
     * Max pooling with stride 1 (the "same"-size peak finding of line and keypoint heads) as two passes of
     * element-wise maxima: the maximum of the window's input rows, column by column, then of the kernel's columns of
     * that row; both loops vectorise, where the window walk compares one tap at a time. Work is split over (plane,
     * output row), so a single-channel map uses every thread. Padding taps are skipped, as in {@link #edgeWindow};
     * {@link Math#max} lets a NaN in the window win.
     */
    private void maxPoolStrideOne(float[] a, float[] y, WindowGeometry g, int from, int to) {
        int ih = g.inSize[0];
        int iw = g.inSize[1];
        int oh = g.outSize[0];
        int ow = g.outSize[1];
        int kh = kernel[0];
        int kw = kernel[1];
        int pt = g.padBegin[0];
        int pl = g.padBegin[1];
        // output columns whose window lies inside the row: ix = ox - pl + kx in [0, iw) for every kx
        int oxLo = Math.min(ow, pl);
        int oxHi = Math.max(oxLo, Math.min(ow, iw - kw + 1 + pl));
        float[] colMax = new float[iw];
        for (int u = from; u < to; u++) {
            int p = u / oh;
            int oy = u % oh;
            int inBase = p * ih * iw;
            int o = p * oh * ow + oy * ow;
            int iyFrom = Math.max(0, oy - pt);
            int iyTo = Math.min(ih, oy - pt + kh);
            if (iyFrom >= iyTo) {
                Arrays.fill(y, o, o + ow, Float.NEGATIVE_INFINITY);
                continue;
            }
            System.arraycopy(a, inBase + iyFrom * iw, colMax, 0, iw);
            for (int iy = iyFrom + 1; iy < iyTo; iy++) {
                int r = inBase + iy * iw;
                for (int ix = 0; ix < iw; ix++) {
                    colMax[ix] = Math.max(colMax[ix], a[r + ix]);
                }
            }
            if (oxHi > oxLo) {
                System.arraycopy(colMax, oxLo - pl, y, o + oxLo, oxHi - oxLo);
                for (int kx = 1; kx < kw; kx++) {
                    int shift = kx - pl;
                    for (int ox = oxLo; ox < oxHi; ox++) {
                        y[o + ox] = Math.max(y[o + ox], colMax[ox + shift]);
                    }
                }
            }
            edgeColumns(colMax, iw, kw, pl, y, o, 0, oxLo);
            edgeColumns(colMax, iw, kw, pl, y, o, oxHi, ow);
        }
    }

    /** Output columns {@code [oxFrom, oxTo)} of a row whose window reaches past the row's ends: those taps skipped. */
    private static void edgeColumns(float[] colMax, int iw, int kw, int pl, float[] y, int o, int oxFrom, int oxTo) {
        for (int ox = oxFrom; ox < oxTo; ox++) {
            float best = Float.NEGATIVE_INFINITY;
            for (int ix = Math.max(0, ox - pl); ix < Math.min(iw, ox - pl + kw); ix++) {
                best = Math.max(best, colMax[ix]);
            }
            y[o + ox] = best;
        }
    }

    /**
     * The most common max pooling (2x2, stride 2) without branches: the element-wise maximum of the two input rows
     * (a loop C2 vectorises), then of neighbouring pairs. {@link Math#max} returns NaN when either value is NaN,
     * the same rule as the general form. The compare-and-select form ran 16 ns per output on random data (a
     * mispredicted branch per compare): 0.45 ms for BlazeFace's 28x64x64 input.
     */
    private static void maxPool2x2(float[] a, float[] y, WindowGeometry g, int from, int to) {
        int ih = g.inSize[0];
        int iw = g.inSize[1];
        int oh = g.outSize[0];
        int ow = g.outSize[1];
        float[] rowMax = new float[2 * ow];
        for (int p = from; p < to; p++) {
            int inBase = p * ih * iw;
            int outBase = p * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                int r0 = inBase + 2 * oy * iw;
                int r1 = r0 + iw;
                for (int i = 0; i < 2 * ow; i++) {
                    rowMax[i] = Math.max(a[r0 + i], a[r1 + i]);
                }
                int o = outBase + oy * ow;
                for (int ox = 0; ox < ow; ox++) {
                    y[o + ox] = Math.max(rowMax[2 * ox], rowMax[2 * ox + 1]);
                }
            }
        }
    }

    /**
     * 2-D max pooling with the window loops written out: the general N-d walk below costs several times more per
     * element, which made MaxPool a fifth to a third of BlazeFace's time on this backend. Same NaN rule as
     * {@link #window}: a NaN in the window wins.
     */
    private void maxPool2d(float[] a, float[] y, WindowGeometry g, int from, int to) {
        int ih = g.inSize[0];
        int iw = g.inSize[1];
        int oh = g.outSize[0];
        int ow = g.outSize[1];
        int kh = kernel[0];
        int kw = kernel[1];
        int sh = g.strides[0];
        int sw = g.strides[1];
        int dh = g.dilations[0];
        int dw = g.dilations[1];
        int pt = g.padBegin[0];
        int pl = g.padBegin[1];
        // output columns whose window lies inside the row: no bounds checks there
        int oxLo = g.firstInsideColumn();
        int oxHi = g.endInsideColumn();
        for (int p = from; p < to; p++) {
            int inBase = p * ih * iw;
            int outBase = p * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                int iy0 = oy * sh - pt;
                boolean rowsInside = iy0 >= 0 && iy0 + (kh - 1) * dh < ih;
                int o = outBase + oy * ow;
                for (int ox = 0; ox < ow; ox++) {
                    if (rowsInside && ox >= oxLo && ox < oxHi) {
                        int start = inBase + iy0 * iw + ox * sw - pl;
                        float best = a[start];
                        boolean nan = false;
                        for (int ky = 0; ky < kh; ky++) {
                            int r = start + ky * dh * iw;
                            for (int kx = 0; kx < kw; kx++) {
                                float v = a[r + kx * dw];
                                // a plain compare-and-select; Math.max's NaN handling on the dependency chain
                                // made this loop latency-bound
                                best = v > best ? v : best;
                                nan |= v != v;
                            }
                        }
                        y[o + ox] = nan ? Float.NaN : best;
                    } else {
                        y[o + ox] = edgeWindow(a, inBase, ih, iw, oy * sh - pt, ox * sw - pl, kh, kw, dh, dw);
                    }
                }
            }
        }
    }

    /**
     * 2-D average pooling: a window inside the input sums its taps in double in the order of the general walk and
     * divides by their number, a window that reaches the padding takes the general walk ({@link #window}, which
     * knows {@code count_include_pad}); the same values as that walk, several times faster (PP-OCRv4's recogniser
     * pools 480 x 3 x 80 in 0.5 ms through it).
     */
    private void averagePool2d(float[] a, float[] y, WindowGeometry g, int[] inStride, int from, int to) {
        int ih = g.inSize[0];
        int iw = g.inSize[1];
        int oh = g.outSize[0];
        int ow = g.outSize[1];
        int kh = kernel[0];
        int kw = kernel[1];
        int sh = g.strides[0];
        int sw = g.strides[1];
        int dh = g.dilations[0];
        int dw = g.dilations[1];
        int pt = g.padBegin[0];
        int pl = g.padBegin[1];
        int taps = kh * kw;
        int oxLo = g.firstInsideColumn();
        int oxHi = g.endInsideColumn();
        int[] opos = new int[2];
        int[] tap = new int[2];
        for (int p = from; p < to; p++) {
            int inBase = p * ih * iw;
            int outBase = p * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                int iy0 = oy * sh - pt;
                boolean rowsInside = iy0 >= 0 && iy0 + (kh - 1) * dh < ih;
                int o = outBase + oy * ow;
                for (int ox = 0; ox < ow; ox++) {
                    if (rowsInside && ox >= oxLo && ox < oxHi) {
                        int start = inBase + iy0 * iw + ox * sw - pl;
                        double sum = 0;
                        for (int ky = 0; ky < kh; ky++) {
                            int r = start + ky * dh * iw;
                            for (int kx = 0; kx < kw; kx++) {
                                sum += a[r + kx * dw];
                            }
                        }
                        y[o + ox] = (float) (sum / taps);
                    } else {
                        opos[0] = oy;
                        opos[1] = ox;
                        y[o + ox] = window(a, inBase, g, inStride, opos, tap);
                    }
                }
            }
        }
    }

    /** A window that reaches outside the input: padding taps are skipped (-inf when none is inside). */
    private static float edgeWindow(float[] a, int inBase, int ih, int iw, int iy0, int ix0, int kh, int kw, int dh,
                                    int dw) {
        float best = Float.NEGATIVE_INFINITY;
        for (int ky = 0; ky < kh; ky++) {
            int iy = iy0 + ky * dh;
            if (iy < 0 || iy >= ih) {
                continue;
            }
            for (int kx = 0; kx < kw; kx++) {
                int ix = ix0 + kx * dw;
                if (ix >= 0 && ix < iw) {
                    float v = a[inBase + iy * iw + ix];
                    if (v > best || Float.isNaN(v)) {
                        best = v;
                    }
                }
            }
        }
        return best;
    }

    /** Any number of spatial axes: walks every output position and its window tap by tap. */
    private void windows(float[] a, float[] y, WindowGeometry g, int[] inStride, int from, int to) {
        int d = kernel.length;
        int inCount = g.inCount();
        int outCount = g.outCount();
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

    @Override
    public String warmupKind() {
        return getClass().getSimpleName() + ":" + (max ? "max" : "average");
    }
}
