package org.sparoa.backend.sparse.internal;

import java.util.Arrays;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.sparoa.api.Node;

/**
 * 2-D convolution (NCHW, groups incl. depthwise, strides, pads/auto_pad, dilations) with the weights as one
 * {@link CsrMatrix} of {@code M x (C/group * kh * kw)}. The output is computed in tiles of output pixels: for a
 * tile, the receptive fields are gathered into a column buffer (im2col; a 1x1 stride-1 unpadded convolution reads
 * the input planes directly), then every output channel row accumulates only its non-zero weights times the
 * matching column rows. Tiles (or, when there are few tiles, output channels) are split over threads. Depthwise
 * convolutions (one input channel per output channel) go to {@link DepthwiseConv2d} instead.
 */
final class CsrConv2d implements PooledKernel {
    private static final Logger LOG = LoggerFactory.getLogger(CsrConv2d.class);
    /** Source floats per tile the column buffer may take (fits the L2 cache of the machines we run on). */
    private static final int TILE_SOURCE_FLOATS = 1 << 17;

    private final Node node;
    private final int groups;
    private final CsrMatrix constantWeights;
    /**
     * The constant weights' {@code [M, C/group, kH, kW]}, null when the weights arrive at run time: what the warm-up
     * kind is told from, since {@code kernel_shape} is optional in ONNX.
     */
    private final int[] constantWeightShape;
    private final double denseBelowSparsity;

    /** Applied to every output value as it is written: a fused Relu, Clip or HardSwish ({@link ConvFusion}). */
    private final ConvEpilogue epilogue;

    /** Output rows per task of the shifted form, tuned on the first runs of each input shape. */
    private final RowsTuner rowsTuner = new RowsTuner();

    CsrConv2d(Node node, NdArray constantWeights, double denseBelowSparsity) {
        this(node, constantWeights, denseBelowSparsity, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
    }

    /** Input 3 (after the optional bias) is a tensor added to the output before the clamp: a fused residual Add. */
    private final boolean addsResidual;
    /** The residual when it is not of the output's shape (broadcast): added by a plain Add kernel instead. */
    private final BroadcastBinary broadcastAdd;

    CsrConv2d(Node node, NdArray constantWeights, double denseBelowSparsity, float clampMin, float clampMax) {
        this(node, constantWeights, denseBelowSparsity, clampMin, clampMax, false);
    }

    CsrConv2d(Node node, NdArray constantWeights, double denseBelowSparsity, float clampMin, float clampMax,
              boolean addsResidual) {
        this(node, constantWeights, denseBelowSparsity, clampMin, clampMax, addsResidual, false);
    }

    CsrConv2d(Node node, NdArray constantWeights, double denseBelowSparsity, float clampMin, float clampMax,
              boolean addsResidual, boolean hardSwish) {
        this(node, constantWeights, denseBelowSparsity, addsResidual,
                new ConvEpilogue(clampMin, clampMax, hardSwish));
    }

    CsrConv2d(Node node, NdArray constantWeights, double denseBelowSparsity, boolean addsResidual,
              ConvEpilogue epilogue) {
        this.addsResidual = addsResidual;
        this.broadcastAdd = addsResidual ? new BroadcastBinary(node, BroadcastBinary.Op.ADD) : null;
        this.epilogue = epilogue;
        this.node = node;
        this.groups = (int) node.attrLong("group", 1);
        this.denseBelowSparsity = denseBelowSparsity;
        this.constantWeights = constantWeights == null ? null : packWeights(constantWeights);
        this.constantWeightShape = constantWeights == null ? null : constantWeights.shape.clone();
    }

    CsrMatrix weights() {
        return constantWeights;
    }

    /**
     * Depthwise, pointwise and windowed convolutions run different loops, and so do dense and CSR weights, a fused
     * epilogue and a fused residual: each combination is its own kind for the warm-up.
     */
    @Override
    public String warmupKind() {
        long[] window = constantWeightShape != null
                ? new long[] {constantWeightShape[2], constantWeightShape[3]}
                : node.attrLongs("kernel_shape", new long[0]);
        long[] strides = node.attrLongs("strides", new long[0]);
        boolean unitStrides = java.util.stream.LongStream.of(strides).allMatch(v -> v == 1);
        boolean unpadded = java.util.stream.LongStream.of(node.attrLongs("pads", new long[0])).allMatch(v -> v == 0)
                && node.attrString("auto_pad", "NOTSET").matches("NOTSET|VALID");
        String form;
        if (groups > 1 && constantWeightShape != null && constantWeightShape[1] == 1
                && constantWeightShape[0] == groups) {
            form = "depthwise"; // the run's test (one input channel per output channel), known from the weights
        } else if (window.length == 2 && window[0] == 1 && window[1] == 1 && unitStrides && unpadded) {
            form = "pointwise";
        } else {
            form = "window";
        }
        String weights = constantWeights == null ? "runtime" : constantWeights.isDense() ? "dense" : "csr";
        return "CsrConv2d:" + form + ":" + weights + ":" + (epilogue.hardSwish ? "hardswish" : epilogue.active()
                ? "clamp" : "plain") + (epilogue.affine() ? ":affine" : "") + (addsResidual ? ":residual" : "");
    }

    private CsrMatrix packWeights(NdArray w) {
        if (w.rank() != 4) {
            throw new IllegalArgumentException(node + ": weights must be 4-D [M, C/group, kH, kW], got " + w);
        }
        int k = w.shape[1] * w.shape[2] * w.shape[3];
        return CsrMatrix.pack(w.asFloats(), 0, w.shape[0], k, denseBelowSparsity);
    }

    @Override
    public NdArray[] run(NdArray[] in, Parallel parallel, FloatArrayPool.Lease buffers) {
        NdArray x = in[0];
        NdArray w = in[1];
        NdArray bias = in.length > 2 ? in[2] : null;
        NdArray residual = addsResidual && in.length > 3 ? in[3] : null;
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
        int[] outShape = {n, m, geo.outSize[0], geo.outSize[1]};
        float[] res = residual != null && residual.isFloat() && Arrays.equals(residual.shape, outShape)
                ? residual.floats : null;
        boolean broadcastResidual = residual != null && res == null;
        float[] out = buffers.take(n * m * geo.outCount());
        if (cg == 1 && groups == c && m == c) {
            DepthwiseConv2d.run(x.asFloats(), n, c, w.asFloats(), bias == null ? null : bias.asFloats(), geo, out,
                    parallel);
        } else {
            Execution e = new Execution(x.asFloats(), n, c, cg, m, csr, bias == null ? null : bias.asFloats(), geo,
                    out, parallel.threads(), Simd.enabled(), broadcastResidual ? null : res, !broadcastResidual);
            e.run(parallel, buffers);
            if (e.vector && !broadcastResidual) {
                // the vector paths applied the epilogue tile by tile
                return new NdArray[] {NdArray.ofFloats(outShape, out)};
            }
        }
        if (broadcastResidual) {
            NdArray sum = broadcastAdd.run(new NdArray[] {NdArray.ofFloats(outShape, out), residual}, parallel,
                    buffers)[0];
            buffers.recycle(out);
            out = sum.floats;
            outShape = sum.shape;
            res = null;
        }
        finishAll(out, res, parallel);
        return new NdArray[] {NdArray.ofFloats(outShape, out)};
    }

    /** The fused epilogue over the whole output (paths that do not apply it tile by tile). */
    private void finishAll(float[] out, float[] res, Parallel parallel) {
        if (epilogue.active() || res != null) {
            parallel.forRange(out.length, 1 << 15, (from, to) -> epilogue.apply(out, from, to, res));
        }
    }

    /**
     * Output rows per task the shifted form may use, the rule's first: those that leave every thread a task and keep
     * a task's input rows and output buffer within twice {@link #TILE_SOURCE_FLOATS}.
     */
    static int[] rowCandidates(int ruleRows, int oh, int planes, int outChannels, int padW, int kh, int threads) {
        int[] out = new int[ROW_CANDIDATES.length + 1];
        int count = 0;
        out[count++] = ruleRows;
        for (int rows : ROW_CANDIDATES) {
            long floats = (long) planes * (rows + kh - 1) * padW + (long) outChannels * rows * padW;
            if (rows != ruleRows && rows <= oh && (oh + rows - 1) / rows >= threads
                    && floats <= 2L * TILE_SOURCE_FLOATS) {
                out[count++] = rows;
            }
        }
        return Arrays.copyOf(out, count);
    }

    private static final int[] ROW_CANDIDATES = {1, 2, 3, 4, 5, 6, 8, 10, 12, 16};

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

        final boolean vector;
        /** Vector form of a stride-1 window: taps are shifted views of a padded input, no column buffer. */
        final boolean shifted;
        /**
         * Shifted form: phase planes per input channel ({@code stride_h x stride_w}), their row width and size;
         * rows of output computed per task.
         */
        final int phases;
        final int padW;
        final int padPlane;
        final int rowsPerTile;
        /** This call's shape, for {@link #rowsTuner}. */
        final int shapeKey;
        /** Source offset of each weight column (shifted: the tap's shift in the padded input; else column * ld). */
        final int[] koff;
        /** {@code koff} of each stored non-zero (sparse weights, vector forms). */
        final int[] nzOff;
        /**
         * Vector forms with a column buffer (im2col, and pointwise with sparse weights): its row stride, whole
         * 64-byte lines, and each stored non-zero's row offset in it ({@link AlignedScratch}).
         */
        final int alignedLd;
        final int[] nzOffAligned;

        /** Added to the output before the clamp (fused residual Add), or null. */
        final float[] residual;
        /** Whether the vector paths apply the epilogue tile by tile (else the caller does it after). */
        final boolean finishes;

        Execution(float[] x, int n, int c, int cg, int m, CsrMatrix w, float[] bias, WindowGeometry g, float[] out,
                  int threads, boolean vector, float[] residual, boolean finishes) {
            this.residual = residual;
            this.finishes = finishes && (epilogue.active() || residual != null);
            this.vector = vector;
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
            int count = (outPixels + Math.max(1, t) - 1) / Math.max(1, t);
            if (vector && n * groups * count < 4 * threads && count % threads != 0) {
                // few tiles: as many as a multiple of the threads, so that the tile split is even (the vector
                // kernels want the whole output rows of a tile; splitting channels shares the source over cores)
                count = (count + threads - 1) / threads * threads;
            }
            if (vector) {
                // tiles of (nearly) equal size: 784 pixels as 512 + 272 left one core idle for a third of the op
                t = Math.min(outPixels, ((outPixels + count - 1) / count + 15) & ~15);
            }
            this.tile = Math.max(1, t);
            this.tiles = (outPixels + tile - 1) / tile;
            this.shifted = vector && !pointwise;
            int oh = g.outSize[0];
            int sh = g.strides[0];
            int sw = g.strides[1];
            this.phases = sh * sw;
            this.padW = ow + (kw - 1) * g.dilations[1] / sw;
            this.padPlane = padW * (oh + (kh - 1) * g.dilations[0] / sh);
            int base = Math.max(128, Math.min(1024, TILE_SOURCE_FLOATS / Math.max(1, k)));
            int ruleRows = Math.max(1, Math.min(base / padW, (oh + 4 * threads - 1) / (4 * threads)));
            // everything the best split depends on: shapes, window, threads, and the share of non-zero weights
            this.shapeKey = Arrays.hashCode(new int[] {n, c, h, wd, m, groups, kh, kw, sh, sw, g.dilations[0],
                    g.dilations[1], g.padBegin[0], g.padBegin[1], g.padEnd[0], g.padEnd[1], threads,
                    w.isDense() ? 100 : (int) (100L * w.colIndex.length / Math.max(1L, (long) m * k))});
            int planes = cg * phases;
            this.rowsPerTile = vector && !pointwise
                    ? rowsTuner.choose(shapeKey, () -> rowCandidates(ruleRows, oh, planes, mg, padW, kh, threads))
                    : ruleRows;
            if (shifted) {
                koff = new int[k];
                for (int row = 0; row < k; row++) {
                    int ic = row / (kh * kw);
                    int ky = (row / kw) % kh;
                    int kx = row % kw;
                    int dy = ky * g.dilations[0];
                    int dx = kx * g.dilations[1];
                    koff[row] = ((ic * sh + dy % sh) * sw + dx % sw) * padPlane + dy / sh * padW + dx / sw;
                }
            } else {
                koff = null;
            }
            this.alignedLd = AlignedScratch.roundUp(tile);
            if (vector && !shifted && !w.isDense()) {
                nzOffAligned = new int[w.colIndex.length];
                for (int p = 0; p < nzOffAligned.length; p++) {
                    nzOffAligned[p] = w.colIndex[p] * alignedLd;
                }
            } else {
                nzOffAligned = null;
            }
            if (koff != null && !w.isDense()) {
                nzOff = new int[w.colIndex.length];
                for (int p = 0; p < nzOff.length; p++) {
                    nzOff[p] = koff[w.colIndex[p]];
                }
            } else {
                nzOff = null;
            }
        }

        void run(Parallel parallel, FloatArrayPool.Lease buffers) {
            if (vector) {
                runVector(parallel, buffers);
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
        private void runVector(Parallel parallel, FloatArrayPool.Lease buffers) {
            if (shifted) {
                runShifted(parallel, buffers);
                return;
            }
            int units = n * groups * tiles;
            if (units >= 4 * parallel.threads() || units % parallel.threads() == 0 || mg < 2 * parallel.threads()) {
                parallel.forRange(units, 1, (from, to) -> {
                    // leaf task (no joins while it is in use): the thread's scratch buffer is safe to reuse
                    for (int u = from; u < to; u++) {
                        accumulateVector(u, 0, mg, gatherAligned(u));
                    }
                });
            } else {
                // few units: output channels split over threads, each gathering the unit's columns itself
                for (int u = 0; u < units; u++) {
                    int unit = u;
                    parallel.forRange(mg, 1, (from, to) -> accumulateVector(unit, from, to, gatherAligned(unit)));
                }
            }
        }

        /** {@link #shiftedPlanes}, timed for {@link #rowsTuner}. */
        private void runShifted(Parallel parallel, FloatArrayPool.Lease buffers) {
            long start = System.nanoTime();
            shiftedPlanes(parallel, buffers);
            if (rowsTuner.record(shapeKey, rowsPerTile, System.nanoTime() - start)) {
                LOG.debug("{}: {} output rows per task for input {}x{}x{}x{}, timed on its first runs", node,
                        rowsTuner.chosen(), n, c, h, wd);
            }
        }

        /**
         * Windows without im2col: each (image, group) input is copied once into zero-padded phase planes, one per
         * (row, column) offset modulo the stride ({@code stride_h x stride_w} per channel, one plane for stride 1),
         * of {@code padW}-wide rows. In a plane's coordinates output pixel {@code (oy, ox)} is
         * {@code q = oy * padW + ox}, and weight column {@code (ic, ky, kx)} reads {@code pad[koff + q]}: its phase
         * plane, shifted by the tap's offset divided by the stride. So every tap is a contiguous run over a block of
         * output rows, for any stride. Tasks take blocks of output rows, compute them (with {@code padW - ow} columns
         * of waste per row) into a per-thread buffer and copy the valid columns out.
         */
        private void shiftedPlanes(Parallel parallel, FloatArrayPool.Lease buffers) {
            int oh = g.outSize[0];
            int padH = padPlane / padW;
            int pt = g.padBegin[0];
            int pl = g.padBegin[1];
            int sh = g.strides[0];
            int sw = g.strides[1];
            int planes = cg * phases;
            // + one vector: the last block of rows is computed in whole vectors, up to L - 1 columns past its end
            float[] pad = buffers.take(planes * padPlane + VectorKernels.L);
            Arrays.fill(pad, planes * padPlane, pad.length, 0f);
            int units = (oh + rowsPerTile - 1) / rowsPerTile;
            for (int img = 0; img < n; img++) {
                for (int grp = 0; grp < groups; grp++) {
                    int inBase = (img * c + grp * cg) * h * wd;
                    parallel.forRange(planes, 1, (from, to) -> {
                        for (int plane = from; plane < to; plane++) {
                            int ic = plane / phases;
                            int py = plane % phases / sw;
                            int px = plane % sw;
                            for (int r = 0; r < padH; r++) {
                                int iy = py + sh * r - pt;
                                int dst = plane * padPlane + r * padW;
                                if (iy < 0 || iy >= h) {
                                    Arrays.fill(pad, dst, dst + padW, 0f);
                                } else {
                                    // plane column j reads input column px + sw * j - pl
                                    WindowGeometry.readRow(x, inBase + (ic * h + iy) * wd, wd, px - pl, sw, pad, dst,
                                            padW);
                                }
                            }
                        }
                    });
                    int image = img;
                    int group = grp;
                    parallel.forRange(units, 1, (from, to) -> {
                        // leaf task (no joins while it is in use): the thread's scratch is safe to reuse
                        float[] tmp = AlignedScratch.array(mg * (rowsPerTile * padW + VectorKernels.L));
                        for (int u = from; u < to; u++) {
                            shiftedRows(image, group, u * rowsPerTile, Math.min(rowsPerTile, oh - u * rowsPerTile), pad,
                                    tmp);
                        }
                    });
                }
            }
            buffers.recycle(pad);
        }

        private void shiftedRows(int img, int grp, int oy0, int rows, float[] pad, float[] tmp) {
            int oh = g.outSize[0];
            int q0 = oy0 * padW;
            // whole vectors (no scalar tail): the extra columns are padding or past the last row, never copied out
            int len = ((rows - 1) * padW + ow + VectorKernels.L - 1) / VectorKernels.L * VectorKernels.L;
            int o0 = grp * mg;
            int t0 = AlignedScratch.start();
            if (w.isDense()) {
                VectorKernels.denseRows(w.values, o0 * k, k, mg, k, pad, koff, q0, len, tmp, t0, len, bias, o0);
            } else {
                VectorKernels.csrRows(w.rowStart, nzOff, w.values, o0, o0 + mg, pad, q0, len, tmp, t0 - o0 * len, len,
                        bias);
            }
            for (int oc = 0; oc < mg; oc++) {
                int dst = ((img * m + o0 + oc) * oh + oy0) * ow;
                for (int y = 0; y < rows; y++) {
                    System.arraycopy(tmp, t0 + oc * len + y * padW, out, dst + y * ow, ow);
                }
                if (finishes) {
                    epilogue.apply(out, dst, dst + rows * ow, residual);
                }
            }
        }

        /**
         * The unit's column buffer in this thread's {@link AlignedScratch}, rows {@code alignedLd} apart from
         * {@link AlignedScratch#start()}: im2col, or for a pointwise convolution with sparse weights a copy of the
         * tile of each input plane (its loads then never straddle cache lines). Null where the kernel reads the
         * input in place (pointwise, dense weights).
         */
        private float[] gatherAligned(int unit) {
            if (pointwise && w.isDense()) {
                return null;
            }
            float[] col = AlignedScratch.array(k * alignedLd);
            int t = unit % tiles;
            int grp = (unit / tiles) % groups;
            int img = unit / (tiles * groups);
            int p0 = t * tile;
            int len = Math.min(tile, outPixels - p0);
            int base = AlignedScratch.start();
            for (int row = 0; row < k; row++) {
                if (pointwise) {
                    System.arraycopy(x, (img * c + grp * cg + row) * h * wd + p0, col, base + row * alignedLd, len);
                } else {
                    gatherRow(img, grp, row, p0, len, col, base + row * alignedLd);
                }
            }
            return col;
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
            if (col == null) {
                src = x;
                srcOff = (img * c + grp * cg) * h * wd + p0;
                ld = h * wd;
            } else {
                src = col;
                srcOff = AlignedScratch.start();
                ld = alignedLd;
            }
            int o0 = grp * mg + ocFrom;
            int outBase = img * m * outPixels + p0;
            if (w.isDense()) {
                VectorKernels.denseRows(w.values, o0 * k, k, ocTo - ocFrom, k, src, srcOff, ld, len, out,
                        outBase + o0 * outPixels, outPixels, bias, o0);
            } else {
                VectorKernels.csrRows(w.rowStart, nzOffAligned, w.values, o0, grp * mg + ocTo, src, srcOff, len, out,
                        outBase, outPixels, bias);
            }
            if (finishes) {
                for (int oc = o0; oc < grp * mg + ocTo; oc++) {
                    int at = outBase + oc * outPixels;
                    epilogue.apply(out, at, at + len, residual);
                }
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
                        WindowGeometry.readRow(x, plane + iy * wd, wd, ox * sw + kx * dw - pl, sw, dst, d, seg);
                    }
                    done += seg;
                }
            }
        }
    }
}
