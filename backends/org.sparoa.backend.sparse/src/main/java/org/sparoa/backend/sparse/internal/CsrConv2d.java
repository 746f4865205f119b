package org.sparoa.backend.sparse.internal;

import java.util.Arrays;

import org.sparoa.api.Node;

/**
 * 2-D convolution (NCHW, groups incl. depthwise, strides, pads/auto_pad, dilations) with the weights as one
 * {@link CsrMatrix} of {@code M x (C/group * kh * kw)}. The output is computed in tiles of output pixels: for a
 * tile, the receptive fields are gathered into a column buffer (im2col; a 1x1 stride-1 unpadded convolution reads
 * the input planes directly), then every output channel row accumulates only its non-zero weights times the
 * matching column rows. Tiles (or, when there are few tiles, output channels) are split over threads. Depthwise
 * convolutions (one input channel per output channel) go to {@link DepthwiseConv2d} instead.
 */
final class CsrConv2d implements Kernel {
    /** Source floats per tile the column buffer may take (fits the L2 cache of the machines we run on). */
    private static final int TILE_SOURCE_FLOATS = 1 << 17;

    private final Node node;
    private final int groups;
    private final CsrMatrix constantWeights;
    private final double denseBelowSparsity;

    CsrConv2d(Node node, NdArray constantWeights, double denseBelowSparsity) {
        this.node = node;
        this.groups = (int) node.attrLong("group", 1);
        this.denseBelowSparsity = denseBelowSparsity;
        this.constantWeights = constantWeights == null ? null : packWeights(constantWeights);
    }

    CsrMatrix weights() {
        return constantWeights;
    }

    private CsrMatrix packWeights(NdArray w) {
        if (w.rank() != 4) {
            throw new IllegalArgumentException(node + ": weights must be 4-D [M, C/group, kH, kW], got " + w);
        }
        int k = w.shape[1] * w.shape[2] * w.shape[3];
        return CsrMatrix.pack(w.asFloats(), 0, w.shape[0], k, denseBelowSparsity);
    }

    @Override
    public NdArray[] run(NdArray[] in, Parallel parallel) {
        NdArray x = in[0];
        NdArray w = in[1];
        NdArray bias = in.length > 2 ? in[2] : null;
        if (x.rank() != 4 || w.rank() != 4) {
            throw new IllegalArgumentException(node + ": expects a 4-D NCHW input and 4-D weights, got " + x + " and " + w);
        }
        int n = x.shape[0];
        int c = x.shape[1];
        int m = w.shape[0];
        int cg = w.shape[1];
        if (cg * groups != c || m % groups != 0) {
            throw new IllegalArgumentException(node + ": input has " + c + " channels, weights " + Arrays.toString(w.shape)
                    + " with group=" + groups + " do not match");
        }
        if (bias != null && bias.size() != m) {
            throw new IllegalArgumentException(node + ": bias has " + bias.size() + " values, expected " + m);
        }
        CsrMatrix csr = constantWeights != null ? constantWeights : packWeights(w);
        WindowGeometry geo = WindowGeometry.of(node, new int[] {x.shape[2], x.shape[3]},
                new int[] {w.shape[2], w.shape[3]}, false);
        float[] out = new float[n * m * geo.outCount()];
        if (cg == 1 && groups == c && m == c) {
            DepthwiseConv2d.run(x.asFloats(), n, c, w.asFloats(), bias == null ? null : bias.asFloats(), geo, out,
                    parallel);
            return new NdArray[] {NdArray.ofFloats(new int[] {n, m, geo.outSize[0], geo.outSize[1]}, out)};
        }
        new Execution(x.asFloats(), n, c, cg, m, csr, bias == null ? null : bias.asFloats(), geo, out).run(parallel);
        return new NdArray[] {NdArray.ofFloats(new int[] {n, m, geo.outSize[0], geo.outSize[1]}, out)};
    }

    /** One call's state: shapes, tiling and the two loops (gather, accumulate). */
    private final class Execution {
        final float[] x;
        final int n;
        final int c;
        final int cg;
        final int m;
        final int mg;
        final CsrMatrix w;
        final float[] bias;
        final WindowGeometry g;
        final float[] out;
        final int h;
        final int wd;
        final int kh;
        final int kw;
        final int k;
        final int ow;
        final int outPixels;
        final int tile;
        final int tiles;
        final boolean pointwise;

        Execution(float[] x, int n, int c, int cg, int m, CsrMatrix w, float[] bias, WindowGeometry g, float[] out) {
            this.x = x;
            this.n = n;
            this.c = c;
            this.cg = cg;
            this.m = m;
            this.mg = m / groups;
            this.w = w;
            this.bias = bias;
            this.g = g;
            this.out = out;
            this.h = g.inSize[0];
            this.wd = g.inSize[1];
            this.kh = g.kernel[0];
            this.kw = g.kernel[1];
            this.k = cg * kh * kw;
            this.ow = g.outSize[1];
            this.outPixels = g.outCount();
            this.pointwise = kh == 1 && kw == 1 && g.strides[0] == 1 && g.strides[1] == 1
                    && g.padBegin[0] == 0 && g.padBegin[1] == 0 && g.padEnd[0] == 0 && g.padEnd[1] == 0;
            int t = Math.max(128, Math.min(1024, TILE_SOURCE_FLOATS / Math.max(1, k))) & ~15;
            t = Math.min(outPixels, t);
            this.tile = Math.max(1, t);
            this.tiles = (outPixels + tile - 1) / tile;
        }

        void run(Parallel parallel) {
            if (Simd.enabled()) {
                runVector(parallel);
                return;
            }
            int units = n * groups * tiles;
            if (units >= 4 * parallel.threads() || mg < 2 * parallel.threads()) {
                parallel.forRange(units, 1, (from, to) -> {
                    float[][] col = new float[k][tile];
                    float[][] acc = new float[4][tile];
                    for (int u = from; u < to; u++) {
                        gather(u, col);
                        accumulate(u, 0, mg, col, acc);
                    }
                });
            } else {
                float[][] col = new float[k][tile];
                for (int u = 0; u < units; u++) {
                    int unit = u;
                    gather(unit, col);
                    parallel.forRange(mg, 1, (from, to) -> accumulate(unit, from, to, col, new float[4][tile]));
                }
            }
        }

        /**
         * The {@link VectorKernels} form: a flat column buffer ({@code k} rows of {@code tile} floats; none for a
         * pointwise convolution, which reads the input planes in place), and the output tile written straight into
         * {@code out} by register-blocked kernels. Same split over threads as the plain form.
         */
        private void runVector(Parallel parallel) {
            int units = n * groups * tiles;
            if (units >= 4 * parallel.threads() || mg < 2 * parallel.threads()) {
                parallel.forRange(units, 1, (from, to) -> {
                    float[] col = pointwise ? null : new float[k * tile];
                    for (int u = from; u < to; u++) {
                        if (!pointwise) {
                            gatherFlat(u, col);
                        }
                        accumulateVector(u, 0, mg, col);
                    }
                });
            } else {
                float[] col = pointwise ? null : new float[k * tile];
                for (int u = 0; u < units; u++) {
                    int unit = u;
                    if (!pointwise) {
                        gatherFlat(unit, col);
                    }
                    parallel.forRange(mg, 1, (from, to) -> accumulateVector(unit, from, to, col));
                }
            }
        }

        private void accumulateVector(int unit, int ocFrom, int ocTo, float[] col) {
            int t = unit % tiles;
            int grp = (unit / tiles) % groups;
            int img = unit / (tiles * groups);
            int p0 = t * tile;
            int len = Math.min(tile, outPixels - p0);
            float[] src;
            int srcOff;
            int ld;
            if (pointwise) {
                src = x;
                srcOff = (img * c + grp * cg) * h * wd + p0;
                ld = h * wd;
            } else {
                src = col;
                srcOff = 0;
                ld = tile;
            }
            int o0 = grp * mg + ocFrom;
            int outBase = img * m * outPixels + p0;
            if (w.isDense()) {
                VectorKernels.denseRows(w.values, o0 * k, k, ocTo - ocFrom, k, src, srcOff, ld, len, out,
                        outBase + o0 * outPixels, outPixels, bias, o0);
            } else {
                VectorKernels.csrRows(w, o0, grp * mg + ocTo, src, srcOff, ld, len, out, outBase, outPixels, bias);
            }
        }

        /** {@link #gather} into one flat buffer: row {@code (ic, ky, kx)} at {@code col[row * tile]}. */
        private void gatherFlat(int unit, float[] col) {
            int t = unit % tiles;
            int grp = (unit / tiles) % groups;
            int img = unit / (tiles * groups);
            int p0 = t * tile;
            int len = Math.min(tile, outPixels - p0);
            for (int row = 0; row < k; row++) {
                gatherRow(img, grp, row, p0, len, col, row * tile);
            }
        }

        /**
         * Unit = (image, group, tile of output pixels); computes output channels {@code [ocFrom, ocTo)} of its group,
         * four at a time when the weights are dense, with {@code acc} as four accumulator rows.
         */
        private void accumulate(int unit, int ocFrom, int ocTo, float[][] col, float[][] acc) {
            int t = unit % tiles;
            int grp = (unit / tiles) % groups;
            int img = unit / (tiles * groups);
            int p0 = t * tile;
            int len = Math.min(tile, outPixels - p0);
            int oc = ocFrom;
            if (w.isDense()) {
                for (; oc + 3 < ocTo; oc += 4) {
                    int o = grp * mg + oc;
                    for (int r = 0; r < 4; r++) {
                        Arrays.fill(acc[r], 0, len, bias == null ? 0f : bias[o + r]);
                    }
                    SparseRowKernel.accumulateDense4(w, o, acc[0], acc[1], acc[2], acc[3], len, col);
                    for (int r = 0; r < 4; r++) {
                        System.arraycopy(acc[r], 0, out, (img * m + o + r) * outPixels + p0, len);
                    }
                }
            }
            for (; oc < ocTo; oc++) {
                int o = grp * mg + oc;
                Arrays.fill(acc[0], 0, len, bias == null ? 0f : bias[o]);
                SparseRowKernel.accumulateRow(w, o, acc[0], len, col);
                System.arraycopy(acc[0], 0, out, (img * m + o) * outPixels + p0, len);
            }
        }

        /**
         * im2col of one unit's tile: row {@code (ic, ky, kx)} holds the input under that tap for each output pixel (for
         * a 1x1 stride-1 unpadded convolution, simply the tile of each input plane).
         */
        private void gather(int unit, float[][] col) {
            int t = unit % tiles;
            int grp = (unit / tiles) % groups;
            int img = unit / (tiles * groups);
            int p0 = t * tile;
            int len = Math.min(tile, outPixels - p0);
            if (pointwise) {
                for (int ic = 0; ic < k; ic++) {
                    System.arraycopy(x, (img * c + grp * cg + ic) * h * wd + p0, col[ic], 0, len);
                }
                return;
            }
            for (int row = 0; row < k; row++) {
                gatherRow(img, grp, row, p0, len, col[row], 0);
            }
        }

        /** Row {@code (ic, ky, kx)} of the column buffer for output pixels {@code [p0, p0 + len)}, at {@code dst[off]}. */
        private void gatherRow(int img, int grp, int row, int p0, int len, float[] dst, int off) {
            int sh = g.strides[0];
            int sw = g.strides[1];
            int dh = g.dilations[0];
            int dw = g.dilations[1];
            int pt = g.padBegin[0];
            int pl = g.padBegin[1];
            {
                int ic = row / (kh * kw);
                int ky = (row / kw) % kh;
                int kx = row % kw;
                int plane = (img * c + grp * cg + ic) * h * wd;
                int done = 0;
                while (done < len) {
                    int p = p0 + done;
                    int oy = p / ow;
                    int ox = p % ow;
                    int seg = Math.min(ow - ox, len - done);
                    int iy = oy * sh + ky * dh - pt;
                    int d = off + done;
                    if (iy < 0 || iy >= h) {
                        Arrays.fill(dst, d, d + seg, 0f);
                    } else {
                        int rowBase = plane + iy * wd;
                        int ix0 = ox * sw + kx * dw - pl;
                        // outputs i in [lo, hi) read inside the row; the rest read padding
                        int lo = Math.min(seg, Math.max(0, WindowGeometry.ceilDiv(-ix0, sw)));
                        int hi = Math.max(lo, Math.min(seg, WindowGeometry.ceilDiv(wd - ix0, sw)));
                        Arrays.fill(dst, d, d + lo, 0f);
                        Arrays.fill(dst, d + hi, d + seg, 0f);
                        if (sw == 1) {
                            System.arraycopy(x, rowBase + ix0 + lo, dst, d + lo, hi - lo);
                        } else {
                            for (int i = lo, ix = rowBase + ix0 + lo * sw; i < hi; i++, ix += sw) {
                                dst[d + i] = x[ix];
                            }
                        }
                    }
                    done += seg;
                }
            }
        }
    }
}
