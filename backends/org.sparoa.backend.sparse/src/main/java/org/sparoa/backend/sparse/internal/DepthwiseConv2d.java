package org.sparoa.backend.sparse.internal;

/**
 * Depthwise 2-D convolution (one input channel per output channel) computed directly, plane by plane: each output
 * row accumulates its {@code kh x kw} taps as row-long multiply-adds over the input rows, skipping zero taps. The
 * im2col path would gather {@code kh * kw} rows per output pixel for nine multiply-adds, which made depthwise 3x3 about
 * half of BlazeFace's time.
 */
final class DepthwiseConv2d {
    private DepthwiseConv2d() {
    }

    /**
     * @param x input NCHW, {@code c} channels
     * @param w weights {@code c x kh x kw}
     * @param out output NCHW, {@code c} channels of {@code g.outSize}
     */
    static void run(float[] x, int n, int c, float[] w, float[] bias, WindowGeometry g, float[] out, Parallel parallel) {
        int planes = n * c;
        if (Simd.enabled()) {
            parallel.forRange(planes, 1, (from, to) -> {
                PaddedPlane pp = new PaddedPlane(g);
                for (int p = from; p < to; p++) {
                    pp.run(x, p, p % c, w, bias, out);
                }
            });
            return;
        }
        parallel.forRange(planes, 1, (from, to) -> {
            float[] acc = new float[g.outSize[1]];
            float[] tap = new float[g.outSize[1]];
            for (int p = from; p < to; p++) {
                plane(x, p, p % c, w, bias, g, out, acc, tap);
            }
        });
    }

    /**
     * The vector form: the input plane is copied once into zero-padded buffers, one per column offset modulo the
     * column stride (rows the windows reach, columns rounded up to whole vectors), so every tap of every output vector is one plain load and
     * one FMA with the accumulators kept in registers ({@link VectorKernels#depthwiseRows}); zero taps are dropped.
     */
    private static final class PaddedPlane {
        final WindowGeometry g;
        final int padW;
        final int padH;
        final float[] pad;
        final int[] tapOff;
        final float[] tapVal;
        final float[] tail;

        PaddedPlane(WindowGeometry g) {
            this.g = g;
            int l = VectorKernels.L;
            int ow = g.outSize[1];
            int owV = (ow + l - 1) / l * l;
            this.padW = owV + (g.kernel[1] - 1) * g.dilations[1] / g.strides[1];
            this.padH = (g.outSize[0] - 1) * g.strides[0] + (g.kernel[0] - 1) * g.dilations[0] + 1;
            // the thread's scratch (every row is rewritten per plane): a fresh array per loop cost an allocation and
            // its zeroing per thread and operator
            this.pad = AlignedScratch.array(g.strides[1] * padH * padW);
            this.tapOff = new int[g.kernel[0] * g.kernel[1]];
            this.tapVal = new float[tapOff.length];
            this.tail = new float[l];
        }

        void run(float[] x, int p, int ch, float[] w, float[] bias, float[] out) {
            int ih = g.inSize[0];
            int iw = g.inSize[1];
            int kh = g.kernel[0];
            int kw = g.kernel[1];
            int pt = g.padBegin[0];
            int pl = g.padBegin[1];
            int sw = g.strides[1];
            int inPlane = p * ih * iw;
            // column phase px, row r, column j holds input (r - pt, px + sw * j - pl), zero outside the input: with
            // a column stride, each tap reads one phase contiguously
            for (int px = 0; px < sw; px++) {
                for (int r = 0; r < padH; r++) {
                    int iy = r - pt;
                    int base = (px * padH + r) * padW;
                    if (iy < 0 || iy >= ih) {
                        java.util.Arrays.fill(pad, base, base + padW, 0f);
                    } else {
                        WindowGeometry.readRow(x, inPlane + iy * iw, iw, px - pl, sw, pad, base, padW);
                    }
                }
            }
            int taps = 0;
            int wBase = ch * kh * kw;
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    float v = w[wBase + ky * kw + kx];
                    if (v != 0f) {
                        int dx = kx * g.dilations[1];
                        tapOff[taps] = (dx % sw * padH + ky * g.dilations[0]) * padW + dx / sw;
                        tapVal[taps++] = v;
                    }
                }
            }
            int oh = g.outSize[0];
            int ow = g.outSize[1];
            VectorKernels.depthwiseRows(pad, 0, padW, g.strides[0], oh, ow, tapOff, tapVal, taps,
                    bias == null ? 0f : bias[ch], out, p * oh * ow, tail);
        }
    }

    /**
     * One output plane, row by row. Each tap's input values for the row are first copied into {@code tap} (zeros where
     * the window reads padding) so that the multiply-add runs over two arrays indexed from 0: the form C2 vectorises
     * (an offset into the input array kept it scalar, 2.4x slower in a micro-benchmark even counting the copy).
     */
    private static void plane(float[] x, int p, int ch, float[] w, float[] bias, WindowGeometry g, float[] out,
                              float[] acc, float[] tap) {
        int ih = g.inSize[0];
        int iw = g.inSize[1];
        int oh = g.outSize[0];
        int ow = g.outSize[1];
        int kh = g.kernel[0];
        int kw = g.kernel[1];
        int sh = g.strides[0];
        int sw = g.strides[1];
        int dh = g.dilations[0];
        int dw = g.dilations[1];
        int pt = g.padBegin[0];
        int pl = g.padBegin[1];
        int inPlane = p * ih * iw;
        int outPlane = p * oh * ow;
        int wBase = ch * kh * kw;
        float b = bias == null ? 0f : bias[ch];
        for (int oy = 0; oy < oh; oy++) {
            java.util.Arrays.fill(acc, b);
            for (int ky = 0; ky < kh; ky++) {
                int iy = oy * sh - pt + ky * dh;
                if (iy < 0 || iy >= ih) {
                    continue;
                }
                int row = inPlane + iy * iw;
                for (int kx = 0; kx < kw; kx++) {
                    float v = w[wBase + ky * kw + kx];
                    if (v == 0f) {
                        continue;
                    }
                    WindowGeometry.readRow(x, row, iw, kx * dw - pl, sw, tap, 0, ow);
                    axpy(acc, ow, tap, v);
                }
            }
            System.arraycopy(acc, 0, out, outPlane + oy * ow, ow);
        }
    }

    private static void axpy(float[] acc, int len, float[] x, float v) {
        for (int j = 0; j < len; j++) {
            acc[j] = Math.fma(v, x[j], acc[j]);
        }
    }
}
