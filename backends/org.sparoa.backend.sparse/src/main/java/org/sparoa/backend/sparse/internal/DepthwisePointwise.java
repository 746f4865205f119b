package org.sparoa.backend.sparse.internal;

import java.util.Arrays;

import org.sparoa.api.Node;

/**
 * A depthwise convolution whose only reader is a 1x1 convolution (MobileNet's and BlazeFace's separable blocks),
 * computed band by band: for a band of output rows the depthwise result of every channel is written into this
 * thread's cache-resident scratch and the 1x1 convolution (sparse or dense weights, with its epilogue) reads it from
 * there. The intermediate tensor never goes to memory: on BlazeFace's 24-channel 128x128 blocks, each a
 * memory-bound pass, that is a write and a read of 1.5 MB saved per block. Falls back to the two kernels one after
 * the other without the Vector API or for a residual that needs broadcasting.
 */
final class DepthwisePointwise implements PooledKernel {
    /** Depthwise results per band: channels x pixels, sized to stay in the core's L2 with the band's output. */
    private static final int BAND_FLOATS = 1 << 15;

    private final Node depthwiseNode;
    private final Node pointwiseNode;
    private final CsrConv2d depthwise;
    private final CsrConv2d pointwise;
    private final ConvEpilogue depthwiseEpilogue;
    private final ConvEpilogue pointwiseEpilogue;
    private final boolean addsResidual;
    /** Band layout and packed depthwise taps for the last input shape seen (models run one shape call after call). */
    private volatile Layout layout;

    /**
     * @param dw the planned depthwise Conv (weights {@code [C, 1, kh, kw]}, its clamp), input 0 is the block's input
     * @param pw the planned 1x1 Conv (weights {@code [M, C, 1, 1]}, residual and epilogue), input 0 is dw's output
     */
    DepthwisePointwise(ConvFusion.Planned dw, ConvFusion.Planned pw, NdArray dwWeights, NdArray pwWeights,
                       double denseBelowSparsity) {
        this.depthwiseNode = dw.node();
        this.pointwiseNode = pw.node();
        this.depthwise = new CsrConv2d(dw.node(), dwWeights, denseBelowSparsity, dw.clampMin(), dw.clampMax());
        this.pointwiseEpilogue = pw.epilogue();
        this.pointwise = new CsrConv2d(pw.node(), pwWeights, denseBelowSparsity, pw.addsResidual(), pointwiseEpilogue);
        this.depthwiseEpilogue = new ConvEpilogue(dw.clampMin(), dw.clampMax(), false);
        this.addsResidual = pw.addsResidual();
    }

    /** Inputs: x, the depthwise weights and bias (bias may be null), the 1x1 weights, bias and residual. */
    @Override
    public NdArray[] run(NdArray[] in, Parallel parallel, FloatArrayPool.Lease buffers) {
        NdArray x = in[0];
        NdArray dwW = in[1];
        NdArray dwB = in[2];
        NdArray pwW = in[3];
        NdArray pwB = in[4];
        NdArray residual = addsResidual ? in[5] : null;
        if (x.rank() != 4 || dwW.rank() != 4 || dwW.shape[0] != x.shape[1] || dwW.shape[1] != 1
                || pwW.rank() != 4 || pwW.shape[1] != x.shape[1]) {
            throw new IllegalArgumentException(depthwiseNode + " -> " + pointwiseNode + ": input " + x
                    + " does not fit depthwise weights " + dwW + " and 1x1 weights " + pwW);
        }
        int n = x.shape[0];
        int c = x.shape[1];
        int m = pwW.shape[0];
        WindowGeometry g = WindowGeometry.of(depthwiseNode, new int[] {x.shape[2], x.shape[3]},
                new int[] {dwW.shape[2], dwW.shape[3]}, false);
        int[] outShape = {n, m, g.outSize[0], g.outSize[1]};
        float[] res = residual == null ? null : residual.isFloat() && Arrays.equals(residual.shape, outShape)
                ? residual.floats : null;
        if (!Simd.enabled() || (residual != null && res == null)) {
            return unfused(in, parallel, buffers);
        }
        CsrMatrix w = pointwise.weights();
        Layout l = layout;
        if (l == null || !Arrays.equals(l.inShape, x.shape) || l.threads != parallel.threads() || l.dwWeights != dwW) {
            l = new Layout(x.shape, dwW, g, w, parallel.threads());
            layout = l;
        }
        float[] out = buffers.take(n * m * g.outCount());
        new Bands(l, x.floats, n, c, m, dwB == null ? null : dwB.asFloats(), w,
                pwB == null ? null : pwB.asFloats(), res, out).run(parallel);
        return new NdArray[] {NdArray.ofFloats(outShape, out)};
    }

    /** The two kernels one after the other, the intermediate tensor from the pool. */
    private NdArray[] unfused(NdArray[] in, Parallel parallel, FloatArrayPool.Lease buffers) {
        NdArray t = depthwise.run(new NdArray[] {in[0], in[1], in[2]}, parallel, buffers)[0];
        NdArray[] y = pointwise.run(addsResidual ? new NdArray[] {t, in[3], in[4], in[5]}
                : new NdArray[] {t, in[3], in[4]}, parallel, buffers);
        buffers.recycle(t.floats);
        return y;
    }

    /** What depends only on the input shape: the bands, the scratch layout and the depthwise taps. */
    private static final class Layout {
        final int[] inShape;
        final NdArray dwWeights;
        final int threads;
        final WindowGeometry g;
        final int rows;
        final int bands;
        final int ld;
        /** Zero-padded input rows of one channel for one band: {@code stride_w} column phases of padR x padW. */
        final int padR;
        final int padW;
        final int[][] tapOff;
        final float[][] tapVal;
        final int[] nzOff;

        Layout(int[] inShape, NdArray dwWeights, WindowGeometry g, CsrMatrix w, int threads) {
            this.inShape = inShape.clone();
            this.dwWeights = dwWeights;
            this.threads = threads;
            this.g = g;
            int n = inShape[0];
            int c = inShape[1];
            int oh = g.outSize[0];
            int ow = g.outSize[1];
            int r = Math.max(1, Math.min(oh, BAND_FLOATS / Math.max(1, c * ow)));
            int count = (oh + r - 1) / r;
            if (n * count < 4 * threads) {
                // few bands: as many as a multiple of the threads, so that the split is even
                count = Math.min(oh, (Math.max(count, threads) + threads - 1) / threads * threads);
                r = (oh + count - 1) / count;
            }
            this.rows = r;
            this.bands = (oh + r - 1) / r;
            this.ld = AlignedScratch.roundUp(rows * ow);
            int kh = g.kernel[0];
            int kw = g.kernel[1];
            int sw = g.strides[1];
            this.padR = (rows - 1) * g.strides[0] + (kh - 1) * g.dilations[0] + 1;
            int owV = (ow + VectorKernels.L - 1) / VectorKernels.L * VectorKernels.L;
            this.padW = owV + (kw - 1) * g.dilations[1] / sw;
            float[] wv = dwWeights.asFloats();
            this.tapOff = new int[c][];
            this.tapVal = new float[c][];
            for (int ch = 0; ch < c; ch++) {
                int taps = 0;
                int[] off = new int[kh * kw];
                float[] val = new float[kh * kw];
                for (int ky = 0; ky < kh; ky++) {
                    for (int kx = 0; kx < kw; kx++) {
                        float v = wv[(ch * kh + ky) * kw + kx];
                        if (v != 0f) {
                            int dx = kx * g.dilations[1];
                            off[taps] = (dx % sw * padR + ky * g.dilations[0]) * padW + dx / sw;
                            val[taps++] = v;
                        }
                    }
                }
                tapOff[ch] = Arrays.copyOf(off, taps);
                tapVal[ch] = Arrays.copyOf(val, taps);
            }
            this.nzOff = w.isDense() ? null : w.scaledColumns(ld).clone();
        }
    }

    /** One call: the bands of output rows, split over the threads. */
    private final class Bands {
        final float[] x;
        final int n;
        final int c;
        final int m;
        final float[] dwBias;
        final WindowGeometry g;
        final CsrMatrix w;
        final float[] bias;
        final float[] res;
        final float[] out;
        final int oh;
        final int ow;
        final int pixels;
        /** Bands, scratch layout and taps of this input shape. */
        final Layout l;

        Bands(Layout l, float[] x, int n, int c, int m, float[] dwBias, CsrMatrix w, float[] bias, float[] res,
              float[] out) {
            this.x = x;
            this.n = n;
            this.c = c;
            this.m = m;
            this.dwBias = dwBias;
            this.g = l.g;
            this.w = w;
            this.bias = bias;
            this.res = res;
            this.out = out;
            this.oh = g.outSize[0];
            this.ow = g.outSize[1];
            this.pixels = oh * ow;
            this.l = l;
        }

        void run(Parallel parallel) {
            parallel.forRange(n * l.bands, 1, (from, to) -> {
                // leaf task (no joins while it is in use): the thread's scratch is safe to reuse
                int padFloats = g.strides[1] * l.padR * l.padW + VectorKernels.L;
                float[] scratch = AlignedScratch.array(c * l.ld + padFloats + VectorKernels.L);
                float[] tail = new float[VectorKernels.L];
                for (int u = from; u < to; u++) {
                    band(u / l.bands, u % l.bands, scratch, tail);
                }
            });
        }

        private void band(int img, int b, float[] scratch, float[] tail) {
            int y0 = b * l.rows;
            int count = Math.min(l.rows, oh - y0);
            int len = count * ow;
            int base = AlignedScratch.start();
            int padBase = base + c * l.ld;
            int ih = g.inSize[0];
            int iw = g.inSize[1];
            int sh = g.strides[0];
            int sw = g.strides[1];
            int pt = g.padBegin[0];
            int pl = g.padBegin[1];
            int needR = (count - 1) * sh + (g.kernel[0] - 1) * g.dilations[0] + 1;
            for (int ch = 0; ch < c; ch++) {
                int plane = (img * c + ch) * ih * iw;
                for (int px = 0; px < sw; px++) {
                    for (int r = 0; r < needR; r++) {
                        int iy = y0 * sh - pt + r;
                        int dst = padBase + (px * l.padR + r) * l.padW;
                        if (iy < 0 || iy >= ih) {
                            Arrays.fill(scratch, dst, dst + l.padW, 0f);
                        } else {
                            WindowGeometry.readRow(x, plane + iy * iw, iw, px - pl, sw, scratch, dst, l.padW);
                        }
                    }
                }
                int at = base + ch * l.ld;
                VectorKernels.depthwiseRows(scratch, padBase, l.padW, sh, count, ow, l.tapOff[ch], l.tapVal[ch],
                        l.tapOff[ch].length, dwBias == null ? 0f : dwBias[ch], scratch, at, tail);
                depthwiseEpilogue.apply(scratch, at, at + len, null);
            }
            int outBase = img * m * pixels + y0 * ow;
            if (w.isDense()) {
                VectorKernels.denseRows(w.values, 0, c, m, c, scratch, base, l.ld, len, out, outBase, pixels, bias, 0);
            } else {
                VectorKernels.csrRows(w.rowStart, l.nzOff, w.values, 0, m, scratch, base, len, out, outBase, pixels,
                        bias);
            }
            if (pointwiseEpilogue.active() || res != null) {
                for (int oc = 0; oc < m; oc++) {
                    int at = outBase + oc * pixels;
                    pointwiseEpilogue.apply(out, at, at + len, res);
                }
            }
        }
    }
}
