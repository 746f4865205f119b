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
     * tap's row of contributions {@code bias + sum_ic W[ic][o][ky][kx] * X[ic][iy][:]} is one CSR row of the
     * transposed weights ({@link VectorKernels#csrRows}, as the convolutions use it: non-zero weights only, input rows
     * read in place, no copy of its planes), then written once into the output rows it covers, in output order when
     * the taps cover the output exactly. The work is split over (output channel, input row) pairs, so a head with one output channel uses every thread.
     */
    private static void nonOverlapping(float[] xf, float[] wf, float[] bf, float[] y, int n, int c, int m, int h,
                                       int wd, int oh, int ow, int kh, int kw, int pt, int pl, Parallel parallel) {
        int taps = kh * kw;
        int hw = h * wd;
        // one CSR row per (output channel, tap) over the input channels: W[ic][o][tap] transposed, zeros dropped
        CsrMatrix w = CsrMatrix.packTransposed(wf, 0, c, m * taps, 0);
        int[] off = w.scaledColumns(hw);
        float[] rowBias = bf == null ? null : eachRepeated(bf, taps);
        // each output pixel gets its one tap; those no tap reaches (output padding) keep the bias
        boolean exact = pt == 0 && pl == 0 && oh == h * kh && ow == wd * kw;
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
                    int inRow = image * c * hw + iy * wd;
                    int r0 = o * taps;
                    if (Simd.enabled()) {
                        VectorKernels.csrRows(w.rowStart, off, w.values, r0, r0 + taps, xf, inRow, wd, acc,
                                -r0 * wd, wd, rowBias);
                    } else {
                        csrRowsPlain(w, off, r0, r0 + taps, xf, inRow, wd, acc, -r0 * wd, rowBias);
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

    /** {@code v}'s values, each {@code times} times in a row. */
    private static float[] eachRepeated(float[] v, int times) {
        float[] r = new float[v.length * times];
        for (int i = 0; i < r.length; i++) {
            r[i] = v[i / times];
        }
        return r;
    }

    /**
     * {@link VectorKernels#csrRows} for a JVM without the Vector API: the same multiply-adds in the same order, so the
     * same bits.
     */
    private static void csrRowsPlain(CsrMatrix w, int[] off, int rowFrom, int rowTo, float[] b, int bOff, int len,
                                     float[] out, int oOff, float[] bias) {
        for (int r = rowFrom; r < rowTo; r++) {
            float z = bias == null ? 0f : bias[r];
            int o = oOff + r * len;
            for (int j = 0; j < len; j++) {
                float acc = z;
                for (int p = w.rowStart[r]; p < w.rowStart[r + 1]; p++) {
                    acc = Math.fma(w.values[p], b[bOff + off[p] + j], acc);
                }
                out[o + j] = acc;
            }
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
