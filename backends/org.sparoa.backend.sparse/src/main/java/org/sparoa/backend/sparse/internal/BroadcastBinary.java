package org.sparoa.backend.sparse.internal;

import org.sparoa.api.Node;

/**
 * Add, Sub, Mul, Div, PRelu and Pow with numpy broadcasting, float32 or int64 (Pow: float32 only). The output is
 * walked in blocks over the longest run of trailing axes along which each operand either advances contiguously or
 * stays put.
 */
final class BroadcastBinary implements PooledKernel {
    enum Op { ADD, SUB, MUL, DIV, PRELU, POW }

    private final Node node;
    private final Op op;

    BroadcastBinary(Node node, Op op) {
        this.node = node;
        this.op = op;
    }

    @Override
    public NdArray[] run(NdArray[] in, Parallel parallel, FloatArrayPool.Lease buffers) {
        NdArray a = in[0];
        NdArray b = in[1];
        if (a.isFloat() != b.isFloat()) {
            throw new IllegalArgumentException(node + ": operands " + a + " and " + b + " have different element types");
        }
        int[] out = Broadcast.shape(node, a.shape, b.shape);
        int[] sa = Broadcast.strides(out, a.shape);
        int[] sb = Broadcast.strides(out, b.shape);
        int r = out.length;
        int axis = r - 1;
        boolean fullA = r == 0 || sa[axis] != 0;
        boolean fullB = r == 0 || sb[axis] != 0;
        int block = 1;
        while (axis >= 0 && (out[axis] == 1 || ((sa[axis] != 0) == fullA && (sb[axis] != 0) == fullB))) {
            block *= out[axis];
            axis--;
        }
        int outer = NdArray.size(out) / Math.max(1, block);
        NdArray result = a.isFloat() ? NdArray.ofFloats(out, buffers.take(NdArray.size(out))) : NdArray.zerosLike(a, out);
        int ia = fullA ? 1 : 0;
        int ib = fullB ? 1 : 0;
        if (outer == 1 && a.isFloat() && block >= 1 << 15) {
            // one long block (same shapes, or a scalar operand): split it over the threads like the activations
            parallel.forRange(block, 1 << 14, (from, to) -> applyFloat(a.floats, from * ia, ia, b.floats, from * ib, ib,
                    result.floats, from, to - from));
            return new NdArray[] {result};
        }
        if (outer > 1 && a.isFloat() && (long) outer * block >= 1 << 15 && parallel.threads() > 1) {
            // many blocks (e.g. a per-channel scale over NCHW): blocks split over the threads
            int last = axis;
            int blk = block;
            parallel.forRange(outer, Math.max(1, (1 << 14) / Math.max(1, blk)), (from, to) -> {
                int[] p = new int[r];
                int oa = 0;
                int ob = 0;
                int rest = from;
                for (int ax = last; ax >= 0; ax--) {
                    p[ax] = rest % out[ax];
                    rest /= out[ax];
                    oa += p[ax] * sa[ax];
                    ob += p[ax] * sb[ax];
                }
                for (int o = from; o < to; o++) {
                    applyFloat(a.floats, oa, ia, b.floats, ob, ib, result.floats, o * blk, blk);
                    for (int ax = last; ax >= 0; ax--) {
                        p[ax]++;
                        oa += sa[ax];
                        ob += sb[ax];
                        if (p[ax] < out[ax]) {
                            break;
                        }
                        oa -= sa[ax] * out[ax];
                        ob -= sb[ax] * out[ax];
                        p[ax] = 0;
                    }
                }
            });
            return new NdArray[] {result};
        }
        int[] pos = new int[r];
        int offA = 0;
        int offB = 0;
        for (int o = 0; o < outer; o++) {
            if (a.isFloat()) {
                applyFloat(a.floats, offA, ia, b.floats, offB, ib, result.floats, o * block, block);
            } else {
                applyLong(a.longs, offA, ia, b.longs, offB, ib, result.longs, o * block, block);
            }
            for (int ax = axis; ax >= 0; ax--) {
                pos[ax]++;
                offA += sa[ax];
                offB += sb[ax];
                if (pos[ax] < out[ax]) {
                    break;
                }
                offA -= sa[ax] * out[ax];
                offB -= sb[ax] * out[ax];
                pos[ax] = 0;
            }
        }
        return new NdArray[] {result};
    }

    private void applyFloat(float[] a, int oa, int ia, float[] b, int ob, int ib, float[] y, int oy, int n) {
        boolean arithmetic = op != Op.PRELU && op != Op.POW;
        if (ia == 1 && ib == 1 && arithmetic) {
            applyContiguous(a, oa, b, ob, y, oy, n);
            return;
        }
        if (ia == 1 && ib == 0 && arithmetic) {
            applyScalar(a, oa, b[ob], y, oy, n);
            return;
        }
        if (ia == 1 && ib == 0 && op == Op.POW && b[ob] == 2f) {
            // a layer normalisation's square: x * x is the correctly rounded x^2, as pow gives it
            for (int j = 0; j < n; j++) {
                float v = a[oa + j];
                y[oy + j] = v * v;
            }
            return;
        }
        if (ia == 0 && ib == 1 && arithmetic) {
            applyScalarLeft(a[oa], b, ob, y, oy, n);
            return;
        }
        switch (op) {
            case ADD -> {
                for (int j = 0; j < n; j++) {
                    y[oy + j] = a[oa + j * ia] + b[ob + j * ib];
                }
            }
            case SUB -> {
                for (int j = 0; j < n; j++) {
                    y[oy + j] = a[oa + j * ia] - b[ob + j * ib];
                }
            }
            case MUL -> {
                for (int j = 0; j < n; j++) {
                    y[oy + j] = a[oa + j * ia] * b[ob + j * ib];
                }
            }
            case DIV -> {
                for (int j = 0; j < n; j++) {
                    y[oy + j] = a[oa + j * ia] / b[ob + j * ib];
                }
            }
            case PRELU -> {
                for (int j = 0; j < n; j++) {
                    float x = a[oa + j * ia];
                    y[oy + j] = x < 0 ? x * b[ob + j * ib] : x;
                }
            }
            case POW -> {
                for (int j = 0; j < n; j++) {
                    y[oy + j] = (float) Math.pow(a[oa + j * ia], b[ob + j * ib]);
                }
            }
        }
    }

    /**
     * Both operands advance: loops without the {@code j * stride} index (a loop-invariant stride of 1 is not known
     * to be 1, which keeps the general loops scalar).
     */
    private void applyContiguous(float[] a, int oa, float[] b, int ob, float[] y, int oy, int n) {
        switch (op) {
            case ADD -> {
                for (int j = 0; j < n; j++) {
                    y[oy + j] = a[oa + j] + b[ob + j];
                }
            }
            case SUB -> {
                for (int j = 0; j < n; j++) {
                    y[oy + j] = a[oa + j] - b[ob + j];
                }
            }
            case MUL -> {
                for (int j = 0; j < n; j++) {
                    y[oy + j] = a[oa + j] * b[ob + j];
                }
            }
            default -> {
                for (int j = 0; j < n; j++) {
                    y[oy + j] = a[oa + j] / b[ob + j];
                }
            }
        }
    }

    /** The second operand is one value for the whole block (a per-channel bias or scale, a scalar). */
    private void applyScalar(float[] a, int oa, float v, float[] y, int oy, int n) {
        switch (op) {
            case ADD -> {
                for (int j = 0; j < n; j++) {
                    y[oy + j] = a[oa + j] + v;
                }
            }
            case SUB -> {
                for (int j = 0; j < n; j++) {
                    y[oy + j] = a[oa + j] - v;
                }
            }
            case MUL -> {
                for (int j = 0; j < n; j++) {
                    y[oy + j] = a[oa + j] * v;
                }
            }
            default -> {
                for (int j = 0; j < n; j++) {
                    y[oy + j] = a[oa + j] / v;
                }
            }
        }
    }

    /** The first operand is one value for the whole block (PP-OCRv4's {@code scalar * tensor}). */
    private void applyScalarLeft(float v, float[] b, int ob, float[] y, int oy, int n) {
        switch (op) {
            case ADD -> {
                for (int j = 0; j < n; j++) {
                    y[oy + j] = v + b[ob + j];
                }
            }
            case SUB -> {
                for (int j = 0; j < n; j++) {
                    y[oy + j] = v - b[ob + j];
                }
            }
            case MUL -> {
                for (int j = 0; j < n; j++) {
                    y[oy + j] = v * b[ob + j];
                }
            }
            default -> {
                for (int j = 0; j < n; j++) {
                    y[oy + j] = v / b[ob + j];
                }
            }
        }
    }

    private void applyLong(long[] a, int oa, int ia, long[] b, int ob, int ib, long[] y, int oy, int n) {
        for (int j = 0; j < n; j++) {
            long x = a[oa + j * ia];
            long v = b[ob + j * ib];
            y[oy + j] = switch (op) {
                case ADD -> x + v;
                case SUB -> x - v;
                case MUL -> x * v;
                case DIV -> {
                    if (v == 0) {
                        throw new ArithmeticException(node + ": integer division by zero");
                    }
                    yield x / v;
                }
                case PRELU -> x < 0 ? x * v : x;
                case POW -> throw new IllegalArgumentException(node + ": Pow of int64 data is not implemented");
            };
        }
    }

    @Override
    public String warmupKind() {
        return getClass().getSimpleName() + ":" + op;
    }
}
