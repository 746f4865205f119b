package org.sparoa.backend.cuda.internal;

import java.util.Arrays;
import java.util.Set;

import org.sparoa.api.DataType;
import org.sparoa.api.Node;

/**
 * Conv, ConvTranspose, Gemm and MatMul: weights packed once (BatchNormalization folded in, CSR where they are at
 * least {@code denseBelowSparsity} zeros), and the following Add / activation fused as the kernel's epilogue.
 */
final class ConvLowering {
    private static final Set<String> OPS = Set.of("Conv", "ConvTranspose", "Gemm", "MatMul");

    private ConvLowering() {
    }

    static boolean handles(String op) {
        return OPS.contains(op);
    }

    static void lower(ProgramBuilder b, Node n, int index) {
        switch (n.opType()) {
            case "Conv" -> conv(b, n, index);
            case "ConvTranspose" -> convTranspose(b, n);
            case "Gemm" -> gemm(b, n, index);
            default -> matMul(b, n, index);
        }
    }

    private static HostValue constantWeights(ProgramBuilder b, Node n) {
        HostValue w = b.hostValue(n.input(1));
        if (w == null) {
            throw new IllegalArgumentException("weights '" + n.input(1) + "' are computed at run time; only constant"
                    + " weights are implemented");
        }
        return w;
    }

    private static void conv(ProgramBuilder b, Node n, int index) {
        ProgramBuilder.PadFold pad = b.padFold(n.input(0));
        Operand x = b.operand(pad == null ? n.input(0) : pad.source());
        long[] xs = x.shape();
        HostValue wv = constantWeights(b, n);
        long[] ws = wv.shape();
        if (xs.length != 4 || ws.length != 4) {
            throw new IllegalArgumentException("only 2-D convolutions (rank-4 input and weights) are implemented");
        }
        int groups = (int) n.attrLong("group", 1);
        long k = ws[0];
        if (xs[1] != ws[1] * groups) {
            throw new IllegalArgumentException("input has " + xs[1] + " channels, weights expect " + ws[1] * groups);
        }
        Window win = pad == null ? Window.of(n, xs[2], xs[3], ws[2], ws[3], false)
                : Window.of(n, xs[2], xs[3], ws[2], ws[3], false, pad.top(), pad.left(), pad.bottom(), pad.right());
        long[] outShape = {xs[0], k, win.oh(), win.ow()};
        float[] w = wv.toFloats();
        float[] bias = n.input(2).isEmpty() ? new float[(int) k] : hostBias(b, n.input(2), k);
        boolean hasBias = !n.input(2).isEmpty();
        Epilogue e = Epilogue.gather(b, n, index, true, outShape, s -> perChannel(s, k, 4));
        e.foldInto(b, w, bias, (int) k);
        hasBias |= !e.batchNorms.isEmpty() || !e.biasAdds.isEmpty();
        Operand y = b.activation(outShape, DataType.FLOAT);
        b.define(e.output, y);
        ConstantBlock c = b.constants();
        Long biasAt = hasBias ? c.floats(bias) : null;
        Object biasArg = biasAt == null ? null : new Arg.Constant(biasAt);
        Activation act = e.activation;
        Operand[] reads = {x, e.residual};
        Operand[] writes = {y};
        boolean sparse = CsrWeights.sparsity(w) >= b.denseBelowSparsity();
        long hw = win.oh() * win.ow();
        String label = n.name();
        if (sparse) {
            int cols = (int) (w.length / k);
            CsrWeights csr = CsrWeights.of(w, (int) k, cols);
            Arg rowPtr = new Arg.Constant(c.ints(csr.rowPtr()));
            Arg colIdx = new Arg.Constant(c.ints(csr.colIdx()));
            Arg vals = new Arg.Constant(c.floats(csr.values()));
            if (win.pointwise() && groups == 1) {
                long p = c.params(xs[0], xs[1], hw, k, act.code());
                b.emit(label, Kernel.CONV1X1_CSR, LaunchConfig.linear(y.elements()), reads, writes, new Arg.Constant(p),
                        x, rowPtr, colIdx, vals, biasArg, e.residual, y, act.a(), act.b());
            } else {
                long p = c.params(convParams(xs, k, win, groups, act.code()));
                b.emit(label, Kernel.CONV2D_CSR, LaunchConfig.linear(y.elements()), reads, writes, new Arg.Constant(p),
                        x, rowPtr, colIdx, vals, biasArg, e.residual, y, act.a(), act.b());
            }
            return;
        }
        Arg wArg = new Arg.Constant(c.floats(w));
        if (win.pointwise() && groups == 1) {
            // Y[n] (K x HW) = W (K x C) X[n] (C x HW): the tiled matrix product, one grid layer per image
            long p = c.params(k, hw, xs[1], 0, xs[1], 1, xs[1] * hw, hw, 1, k * hw, 0, 1, 0, act.code());
            b.emit(label, Kernel.GEMM, LaunchConfig.tiled((int) k, (int) hw, (int) xs[0]), reads, writes,
                    new Arg.Constant(p), wArg, x, biasArg, e.residual, y, 1f, act.a(), act.b());
        } else {
            long p = c.params(convParams(xs, k, win, groups, act.code()));
            b.emit(label, Kernel.CONV2D, LaunchConfig.linear(y.elements()), reads, writes, new Arg.Constant(p), x, wArg,
                    biasArg, e.residual, y, act.a(), act.b());
        }
    }

    static long[] convParams(long[] xs, long k, Window win, int groups, int act) {
        return new long[] {xs[0], xs[1], xs[2], xs[3], k, win.oh(), win.ow(), win.kh(), win.kw(), win.sh(), win.sw(),
                win.padTop(), win.padLeft(), win.dh(), win.dw(), groups, act};
    }

    /** A shape that holds one value per channel of a rank-{@code rank} NC... tensor (or one value for all). */
    static boolean perChannel(long[] s, long channels, int rank) {
        long count = Broadcast.count(s);
        if (count == 1) {
            return true;
        }
        if (count != channels || s.length > rank) {
            return false;
        }
        // the channel axis (1) of the output, right-aligned: [K,1,1] or [1,K,1,1]
        int channelAt = s.length - (rank - 1);
        return channelAt >= 0 && s[channelAt] == channels;
    }

    private static float[] hostBias(ProgramBuilder b, String name, long k) {
        HostValue v = b.hostValue(name);
        if (v == null || v.size() != k) {
            throw new IllegalArgumentException("bias '" + name + "' must be a constant of " + k + " values");
        }
        return v.toFloats();
    }

    private static void convTranspose(ProgramBuilder b, Node n) {
        Operand x = b.operand(n.input(0));
        long[] xs = x.shape();
        HostValue wv = constantWeights(b, n);
        long[] ws = wv.shape();
        if (xs.length != 4 || ws.length != 4) {
            throw new IllegalArgumentException("only 2-D transposed convolutions are implemented");
        }
        String auto = n.attrString("auto_pad", "NOTSET");
        int groups = (int) n.attrLong("group", 1);
        long k = ws[1] * groups;
        long[] s = n.attrLongs("strides", new long[] {1, 1});
        long[] d = n.attrLongs("dilations", new long[] {1, 1});
        long[] op = n.attrLongs("output_padding", new long[2]);
        long[] p = auto.equals("VALID") ? new long[4] : n.attrLongs("pads", new long[4]);
        long[] wanted = n.attrLongs("output_shape", null);
        if (wanted == null && auto.startsWith("SAME")) {
            wanted = new long[] {xs[2] * s[0], xs[3] * s[1]};
        }
        if (wanted != null) {
            // ONNX: total padding from the requested size; SAME_UPPER puts the odd pad at the end, else at the start
            long[] w2 = wanted.length > 2 ? java.util.Arrays.copyOfRange(wanted, wanted.length - 2, wanted.length) : wanted;
            p = new long[4];
            for (int i = 0; i < 2; i++) {
                long total = s[i] * (xs[2 + i] - 1) + op[i] + ((ws[2 + i] - 1) * d[i] + 1) - w2[i];
                long half = Math.floorDiv(total, 2); // as ONNX's reference (Python //)
                if (auto.equals("SAME_UPPER")) {
                    p[i] = half;
                    p[2 + i] = total - half;
                } else {
                    p[i] = total - half;
                    p[2 + i] = half;
                }
            }
        }
        long oh = (xs[2] - 1) * s[0] - p[0] - p[2] + d[0] * (ws[2] - 1) + op[0] + 1;
        long ow = (xs[3] - 1) * s[1] - p[1] - p[3] + d[1] * (ws[3] - 1) + op[1] + 1;
        long[] outShape = {xs[0], k, oh, ow};
        Operand y = b.activation(outShape, DataType.FLOAT);
        b.define(n.outputs().get(0), y);
        ConstantBlock c = b.constants();
        Object bias = n.input(2).isEmpty() ? null : new Arg.Constant(c.floats(hostBias(b, n.input(2), k)));
        long params = c.params(xs[0], xs[1], xs[2], xs[3], k, oh, ow, ws[2], ws[3], s[0], s[1], p[0], p[1], d[0], d[1], groups);
        b.emit(n.name(), Kernel.CONV_TRANSPOSE2D, LaunchConfig.linear(y.elements()), new Operand[] {x},
                new Operand[] {y}, new Arg.Constant(params), x, new Arg.Constant(c.floats(wv.toFloats())), bias, y);
    }

    private static void gemm(ProgramBuilder b, Node n, int index) {
        Operand a = b.operand(n.input(0));
        long[] as = a.shape();
        boolean ta = n.attrLong("transA", 0) != 0;
        boolean tb = n.attrLong("transB", 0) != 0;
        float alpha = n.attrFloat("alpha", 1f);
        float beta = n.attrFloat("beta", 1f);
        long m = ta ? as[1] : as[0];
        long kk = ta ? as[0] : as[1];
        long[] bs = b.shapeOf(n.input(1));
        long nn = tb ? bs[0] : bs[1];
        long[] outShape = {m, nn};
        HostValue cv = n.input(2).isEmpty() ? null : b.hostValue(n.input(2));
        if (!n.input(2).isEmpty() && cv == null && beta != 1f) {
            throw new IllegalArgumentException("a computed C with beta != 1 is not implemented");
        }
        MatrixOperands mo = new MatrixOperands(a, ta ? 1 : kk, ta ? m : 1, 0);
        productWithBias(b, n, index, mo, n.input(1), tb, m, nn, kk, 1, alpha, outShape, cv, beta,
                n.input(2).isEmpty() || cv != null ? null : b.operand(n.input(2)));
    }

    private static void matMul(ProgramBuilder b, Node n, int index) {
        Operand a = b.operand(n.input(0));
        long[] as = a.shape();
        long[] bs = b.shapeOf(n.input(1));
        if (as.length < 2 || bs.length < 2) {
            throw new IllegalArgumentException("MatMul of rank-1 operands is not implemented");
        }
        long kk = as[as.length - 1];
        long nn = bs[bs.length - 1];
        if (bs[bs.length - 2] != kk) {
            throw new IllegalArgumentException("MatMul of " + Arrays.toString(as) + " by " + Arrays.toString(bs));
        }
        long[] outShape;
        if (bs.length == 2) {
            // every row of every batch of A times one B: one product of (prod(batch) * M) rows
            long rows = Broadcast.count(as) / kk;
            outShape = Arrays.copyOf(as, as.length);
            outShape[as.length - 1] = nn;
            productWithBias(b, n, index, new MatrixOperands(a, kk, 1, 0), n.input(1), false, rows, nn, kk, 1, 1f,
                    outShape, null, 1f, null);
            return;
        }
        // batched: equal batch dimensions, or A without them
        long[] aBatch = Arrays.copyOf(as, as.length - 2);
        long[] bBatch = Arrays.copyOf(bs, bs.length - 2);
        long m = as[as.length - 2];
        long batches = Broadcast.count(bBatch);
        boolean aBatched = Broadcast.count(aBatch) > 1;
        if (aBatched && !Arrays.equals(aBatch, bBatch)) {
            throw new IllegalArgumentException("MatMul batch broadcasting of " + Arrays.toString(as) + " by "
                    + Arrays.toString(bs) + " is not implemented");
        }
        outShape = Arrays.copyOf(bs, bs.length);
        outShape[bs.length - 2] = m;
        outShape[bs.length - 1] = nn;
        Operand bo = b.operand(n.input(1));
        Operand y = b.activation(outShape, DataType.FLOAT);
        b.define(n.outputs().get(0), y);
        long p = b.constants().params(m, nn, kk, aBatched ? m * kk : 0, kk, 1, kk * nn, nn, 1, m * nn, 0, 0, 0, 0);
        b.emit(n.name(), Kernel.GEMM, LaunchConfig.tiled((int) m, (int) nn, (int) batches), new Operand[] {a, bo},
                new Operand[] {y}, new Arg.Constant(p), a, bo, null, null, y, 1f, 0f, 0f);
    }

    /** The left operand of a product: element (m, k) at {@code rowStride * m + colStride * k}. */
    private record MatrixOperands(Operand a, long rowStride, long colStride, long batchStride) {
    }

    /**
     * {@code Y = alpha * A op(B) + beta * C} (C a constant, or a computed {@code cDevice} with beta 1) with the
     * following Add / activation fused: CSR when B is a sparse constant, else the tiled product.
     */
    private static void productWithBias(ProgramBuilder b, Node n, int index, MatrixOperands mo, String bName,
                                        boolean transB, long m, long nn, long kk, int batches, float alpha,
                                        long[] outShape, HostValue c, float beta, Operand cDevice) {
        Epilogue e = Epilogue.gather(b, n, index, false, outShape, s -> lastAxisOnly(s, nn));
        float[] bias = null;
        long zr = 0;
        long zc = 1;
        if (c != null) {
            long[] zs = Broadcast.stridesAlong(c.shape(), new long[] {m, nn});
            zr = zs[0];
            zc = zs[1];
            bias = c.toFloats();
            for (int i = 0; i < bias.length; i++) {
                bias[i] *= beta;
            }
        }
        if (!e.biasAdds.isEmpty()) {
            // one value per column added to C: C expanded to the full matrix (or a column vector if there is none)
            int rows = c == null ? 1 : (int) m;
            float[] full = new float[(int) (rows * nn)];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < nn; j++) {
                    float v = c == null ? 0 : bias[(int) (i * zr + j * zc)];
                    for (HostValue add : e.biasAdds) {
                        float[] av = add.toFloats();
                        v += av.length == 1 ? av[0] : av[j];
                    }
                    full[(int) (i * nn + j)] = v;
                }
            }
            bias = full;
            zr = c == null ? 0 : nn;
            zc = 1;
        }
        Operand residual = e.residual;
        if (cDevice != null) {
            if (!e.biasAdds.isEmpty()) {
                throw new IllegalArgumentException("a computed C and a fused constant Add together are not implemented");
            }
            long[] zs = Broadcast.stridesAlong(cDevice.shape(), new long[] {m, nn});
            zr = zs[0];
            zc = zs[1];
        }
        Operand y = b.activation(outShape, DataType.FLOAT);
        b.define(e.output, y);
        ConstantBlock cb = b.constants();
        Object biasArg = cDevice != null ? cDevice : bias == null ? null : new Arg.Constant(cb.floats(bias));
        Activation act = e.activation;
        Operand a = mo.a();
        HostValue bv = b.hostValue(bName);
        if (bv != null) {
            float[] bm = bv.toFloats();
            // B^T as N rows of K: the rows the CSR kernel walks
            float[] bt = transB ? bm : CsrWeights.transpose(bm, (int) kk, (int) nn);
            // the CSR product has no residual input: with a fused residual Add the dense product runs
            if (residual == null && CsrWeights.sparsity(bm) >= b.denseBelowSparsity()) {
                CsrWeights csr = CsrWeights.of(bt, (int) nn, (int) kk);
                long p = cb.params(m, nn, mo.rowStride(), mo.colStride(), zr, zc, act.code());
                b.emit(n.name(), Kernel.GEMM_CSR, LaunchConfig.linear(m * nn), new Operand[] {a, cDevice}, new Operand[] {y},
                        new Arg.Constant(p), a, new Arg.Constant(cb.ints(csr.rowPtr())),
                        new Arg.Constant(cb.ints(csr.colIdx())), new Arg.Constant(cb.floats(csr.values())), biasArg, y,
                        alpha, act.a(), act.b());
                return;
            }
        }
        Operand bo = b.operand(bName);
        long bR = transB ? 1 : nn;
        long bC = transB ? kk : 1;
        long p = cb.params(m, nn, kk, mo.batchStride(), mo.rowStride(), mo.colStride(), 0, bR, bC, m * nn, 0, zr, zc,
                act.code());
        b.emit(n.name(), Kernel.GEMM, LaunchConfig.tiled((int) m, (int) nn, batches), new Operand[] {a, bo, residual, cDevice},
                new Operand[] {y}, new Arg.Constant(p), a, bo, biasArg, residual, y, alpha, act.a(), act.b());
    }

    /** A constant that adds one value per output column (or one for all). */
    private static boolean lastAxisOnly(long[] s, long n) {
        long count = Broadcast.count(s);
        return count == 1 || (count == n && s.length >= 1 && s[s.length - 1] == n);
    }
}
