package org.sparoa.backend.sparse.internal;

import java.util.Arrays;

import org.sparoa.api.Node;

/**
 * ConvTranspose over one or two spatial axes (a 1-D one runs as 2-D with height 1): every input pixel scatters
 * its value times the kernel into the output. Zero weights are skipped. Output channels are split over threads,
 * so no two threads write the same output plane. When the stride equals the kernel, see {@link #nonOverlapping}. The
 * output array comes from the pool.
 */
final class ConvTranspose2d implements PooledKernel {
    private final Node node;
    private final int groups;

    ConvTranspose2d(Node node) {
        this.node = node;
        this.groups = (int) node.attrLong("group", 1);
    }

    @Override
    public NdArray[] run(NdArray[] in, Parallel parallel, FloatArrayPool.Lease buffers) {
        NdArray x = in[0];
        NdArray w = in[1];
        NdArray bias = in.length > 2 ? in[2] : null;
        boolean oneD = x.rank() == 3;
        if (oneD) {
            x = x.reshaped(new int[] {x.shape[0], x.shape[1], 1, x.shape[2]});
            w = w.reshaped(new int[] {w.shape[0], w.shape[1], 1, w.shape[2]});
        }
        if (x.rank() != 4 || w.rank() != 4) {
            throw new IllegalArgumentException(node + ": expects 1-D or 2-D spatial input and weights, got " + in[0] + " and " + in[1]);
        }
        int n = x.shape[0];
        int c = x.shape[1];
        int cg = c / groups;
        int mg = w.shape[1];
        int m = mg * groups;
        if (w.shape[0] != c || c % groups != 0) {
            throw new IllegalArgumentException(node + ": weights " + Arrays.toString(w.shape) + " do not match input channels "
                    + c + " with group=" + groups);
        }
        if (bias != null && bias.size() != m) {
            throw new IllegalArgumentException(node + ": bias has " + bias.size() + " values, expected " + m);
        }
        int d = oneD ? 1 : 2;
        int[] kernel = {w.shape[2], w.shape[3]};
        int[] inSize = {x.shape[2], x.shape[3]};
        int[] strides = spatial("strides", d, 1);
        int[] dil = spatial("dilations", d, 1);
        int[] outPad = spatial("output_padding", d, 0);
        int[] pb = new int[2];
        int[] pe = new int[2];
        int[] out = new int[2];
        long[] pads = node.attrLongs("pads", null);
        long[] outputShape = node.attrLongs("output_shape", null);
        String autoPad = node.attrString("auto_pad", "NOTSET");
        for (int i = 0; i < 2; i++) {
            int ai = oneD ? 0 : i;
            if (oneD && i == 0) {
                out[0] = 1;
                continue;
            }
            int ext = (kernel[i] - 1) * dil[ai] + 1;
            int full = strides[ai] * (inSize[i] - 1) + outPad[ai] + ext;
            if (outputShape != null || autoPad.startsWith("SAME")) {
                int target = outputShape != null
                        ? (int) outputShape[outputShape.length - d + ai]
                        : inSize[i] * strides[ai];
                int total = full - target;
                int half = Math.floorDiv(total, 2); // total < 0 when output_shape asks for more than the full output
                boolean upper = autoPad.equals("SAME_UPPER");
                pb[i] = upper ? half : total - half;
                pe[i] = total - pb[i];
                out[i] = target;
            } else {
                if (pads != null) {
                    pb[i] = (int) pads[ai];
                    pe[i] = (int) pads[ai + d];
                }
                out[i] = full - pb[i] - pe[i];
            }
        }
        int oh = out[0];
        int ow = out[1];
        int h = inSize[0];
        int wd = inSize[1];
        int sh = oneD ? 1 : strides[0];
        int sw = strides[d - 1];
        int dh = oneD ? 1 : dil[0];
        int dw = dil[d - 1];
        int kh = kernel[0];
        int kw = kernel[1];
        float[] xf = x.asFloats();
        float[] wf = w.asFloats();
        float[] bf = bias == null ? null : bias.asFloats();
        float[] y = buffers.take(n * m * oh * ow); // every element written below
        int pt = pb[0];
        int pl = pb[1];
        if (groups == 1 && sh == kh && sw == kw && dh == 1 && dw == 1) {
            nonOverlapping(xf, wf, bf, y, n, c, m, h, wd, oh, ow, kh, kw, pt, pl, parallel);
            int[] shape = oneD ? new int[] {n, m, ow} : new int[] {n, m, oh, ow};
            return new NdArray[] {NdArray.ofFloats(shape, y)};
        }
        parallel.forRange(n * m, 1, (from, to) -> {
            for (int u = from; u < to; u++) {
                int img = u / m;
                int o = u % m;
                int grp = o / mg;
                int ocl = o % mg;
                int outBase = u * oh * ow;
                Arrays.fill(y, outBase, outBase + oh * ow, bf == null ? 0f : bf[o]);
                for (int icl = 0; icl < cg; icl++) {
                    int ic = grp * cg + icl;
                    int inBase = (img * c + ic) * h * wd;
                    int wBase = (ic * mg + ocl) * kh * kw;
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            float wv = wf[wBase + ky * kw + kx];
                            if (wv == 0f) {
                                continue;
                            }
                            int xOff = kx * dw - pl;
                            int ixFrom = Math.max(0, WindowGeometry.ceilDiv(-xOff, sw));
                            int ixTo = Math.min(wd, WindowGeometry.ceilDiv(ow - xOff, sw));
                            for (int iy = 0; iy < h; iy++) {
                                int oy = iy * sh + ky * dh - pt;
                                if (oy < 0 || oy >= oh) {
                                    continue;
                                }
                                int row = outBase + oy * ow + xOff;
                                int src = inBase + iy * wd;
                                for (int ix = ixFrom; ix < ixTo; ix++) {
                                    y[row + ix * sw] += wv * xf[src + ix];
                                }
                            }
                        }
                    }
                }
            }
        });
        int[] shape = oneD ? new int[] {n, m, ow} : new int[] {n, m, oh, ow};
        return new NdArray[] {NdArray.ofFloats(shape, y)};
    }

    /**
     * Stride equal to the kernel (the 2x2 stride-2 upsampling of detection heads): the windows do not overlap, so
     * every output pixel takes exactly one tap of one input pixel. For one output channel and one input row, each
     * tap's row of contributions {@code bias + sum_ic W[ic][o][ky][kx] * X[ic][iy][:]} is summed with vectorised
     * multiply-adds over the tap's non-zero weights only, read in place from the input (no copy of its planes), and
     * then written once into the output rows it covers, in output order when the taps cover the output exactly. The
     * work is split over (output channel, input row) pairs, so a head with one output channel uses every thread.
     */
    private static void nonOverlapping(float[] xf, float[] wf, float[] bf, float[] y, int n, int c, int m, int h,
                                       int wd, int oh, int ow, int kh, int kw, int pt, int pl, Parallel parallel) {
        int taps = kh * kw;
        int[][] nzIc = new int[m * taps][];
        float[][] nzW = new float[m * taps][];
        for (int o = 0; o < m; o++) {
            for (int t = 0; t < taps; t++) {
                int count = 0;
                for (int ic = 0; ic < c; ic++) {
                    if (wf[(ic * m + o) * taps + t] != 0f) {
                        count++;
                    }
                }
                int[] ics = new int[count];
                float[] ws = new float[count];
                int k = 0;
                for (int ic = 0; ic < c; ic++) {
                    float v = wf[(ic * m + o) * taps + t];
                    if (v != 0f) {
                        ics[k] = ic;
                        ws[k++] = v;
                    }
                }
                nzIc[o * taps + t] = ics;
                nzW[o * taps + t] = ws;
            }
        }
        // each output pixel gets its one tap; those no tap reaches (output padding) keep the bias
        boolean exact = pt == 0 && pl == 0 && oh == h * kh && ow == wd * kw;
        int hw = h * wd;
        for (int img = 0; img < n; img++) {
            int image = img;
            if (!exact) {
                for (int o = 0; o < m; o++) {
                    int plane = (image * m + o) * oh * ow;
                    Arrays.fill(y, plane, plane + oh * ow, bf == null ? 0f : bf[o]);
                }
            }
            parallel.forRange(m * h, 4, (from, to) -> {
                float[] acc = new float[taps * wd];
                for (int u = from; u < to; u++) {
                    int o = u / h;
                    int iy = u % h;
                    float bias = bf == null ? 0f : bf[o];
                    int inRow = image * c * hw + iy * wd;
                    for (int t = 0; t < taps; t++) {
                        int a = t * wd;
                        Arrays.fill(acc, a, a + wd, bias);
                        int[] ics = nzIc[o * taps + t];
                        float[] ws = nzW[o * taps + t];
                        int p = 0;
                        for (; p + 3 < ics.length; p += 4) {
                            axpy4(acc, a, wd, xf, inRow + ics[p] * hw, inRow + ics[p + 1] * hw,
                                    inRow + ics[p + 2] * hw, inRow + ics[p + 3] * hw, ws[p], ws[p + 1], ws[p + 2],
                                    ws[p + 3]);
                        }
                        for (; p < ics.length; p++) {
                            axpy1(acc, a, wd, xf, inRow + ics[p] * hw, ws[p]);
                        }
                    }
                    int outPlane = (image * m + o) * oh * ow;
                    for (int ky = 0; ky < kh; ky++) {
                        int oy = iy * kh + ky - pt;
                        if (oy < 0 || oy >= oh) {
                            continue;
                        }
                        int row = outPlane + oy * ow;
                        int tap0 = ky * kw * wd;
                        if (exact && kw == 2) {
                            for (int ix = 0; ix < wd; ix++) {
                                y[row + 2 * ix] = acc[tap0 + ix];
                                y[row + 2 * ix + 1] = acc[tap0 + wd + ix];
                            }
                        } else {
                            for (int kx = 0; kx < kw; kx++) {
                                int a = tap0 + kx * wd;
                                for (int ix = 0; ix < wd; ix++) {
                                    int ox = ix * kw + kx - pl;
                                    if (ox >= 0 && ox < ow) {
                                        y[row + ox] = acc[a + ix];
                                    }
                                }
                            }
                        }
                    }
                }
            });
        }
    }

    /**
     * {@code acc[a..a+len) += v0 x[x0..] + v1 x[x1..] + v2 x[x2..] + v3 x[x3..]}: with explicit vectors where the Vector
     * API is there ({@link VectorKernels#axpy4}; the rows lie at different offsets of the same arrays, which the JIT's
     * automatic vectorisation does not take on), the same multiply-adds one by one for the rest.
     */
    private static void axpy4(float[] acc, int a, int len, float[] x, int x0, int x1, int x2, int x3,
                              float v0, float v1, float v2, float v3) {
        int j = Simd.enabled() ? VectorKernels.axpy4(acc, a, len, x, x0, x1, x2, x3, v0, v1, v2, v3) : 0;
        for (; j < len; j++) {
            acc[a + j] = Math.fma(v3, x[x3 + j], Math.fma(v2, x[x2 + j], Math.fma(v1, x[x1 + j],
                    Math.fma(v0, x[x0 + j], acc[a + j]))));
        }
    }

    private static void axpy1(float[] acc, int a, int len, float[] x, int x0, float v0) {
        int j = Simd.enabled() ? VectorKernels.axpy1(acc, a, len, x, x0, v0) : 0;
        for (; j < len; j++) {
            acc[a + j] = Math.fma(v0, x[x0 + j], acc[a + j]);
        }
    }

    private int[] spatial(String attr, int d, int dflt) {
        long[] v = node.attrLongs(attr, null);
        int[] r = new int[d];
        Arrays.fill(r, dflt);
        if (v != null) {
            if (v.length != d) {
                throw new IllegalArgumentException(node + ": " + attr + " has " + v.length + " values, expected " + d);
            }
            for (int i = 0; i < d; i++) {
                r[i] = (int) v[i];
            }
        }
        return r;
    }
}
