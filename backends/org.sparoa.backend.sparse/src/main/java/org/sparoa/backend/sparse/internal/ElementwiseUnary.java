package org.sparoa.backend.sparse.internal;

import org.sparoa.api.Node;

/** Float32 functions applied element by element: Relu, LeakyRelu, Sigmoid, HardSigmoid, HardSwish, Clip, Sqrt. */
final class ElementwiseUnary implements PooledKernel {
    enum Op { RELU, LEAKY_RELU, SIGMOID, HARD_SIGMOID, HARD_SWISH, CLIP, SQRT }

    private final Node node;
    private final Op op;
    private final float alpha;
    private final float beta;

    ElementwiseUnary(Node node, Op op) {
        this.node = node;
        this.op = op;
        this.alpha = switch (op) {
            case LEAKY_RELU -> node.attrFloat("alpha", 0.01f);
            case HARD_SIGMOID -> node.attrFloat("alpha", 0.2f);
            default -> 0f;
        };
        this.beta = op == Op.HARD_SIGMOID ? node.attrFloat("beta", 0.5f) : 0f;
    }

    @Override
    public NdArray[] run(NdArray[] in, Parallel parallel, FloatArrayPool.Lease buffers) {
        NdArray x = in[0];
        if (!x.isFloat()) {
            throw new IllegalArgumentException(node + ": input must be float32, got " + x);
        }
        float[] a = x.floats;
        float[] y = buffers.take(a.length);
        float lo = -Float.MAX_VALUE;
        float hi = Float.MAX_VALUE;
        if (op == Op.CLIP) {
            lo = node.attrFloat("min", lo);
            hi = node.attrFloat("max", hi);
            if (in.length > 1 && in[1] != null) {
                lo = scalar(in[1], "min");
            }
            if (in.length > 2 && in[2] != null) {
                hi = scalar(in[2], "max");
            }
        }
        float min = lo;
        float max = hi;
        parallel.forRange(a.length, 1 << 15, (from, to) -> apply(a, y, from, to, min, max));
        return new NdArray[] {NdArray.ofFloats(x.shape, y)};
    }

    private float scalar(NdArray t, String what) {
        if (t.size() != 1) {
            throw new IllegalArgumentException(node + ": " + what + " must be a scalar, got " + t);
        }
        return t.asFloats()[0];
    }

    private void apply(float[] a, float[] y, int from, int to, float min, float max) {
        switch (op) {
            case RELU -> {
                for (int i = from; i < to; i++) {
                    y[i] = Math.max(a[i], 0f);
                }
            }
            case LEAKY_RELU -> {
                for (int i = from; i < to; i++) {
                    float v = a[i];
                    y[i] = v < 0 ? v * alpha : v;
                }
            }
            case SIGMOID -> sigmoid(a, y, from, to);
            case HARD_SIGMOID -> {
                for (int i = from; i < to; i++) {
                    y[i] = Math.max(0f, Math.min(1f, alpha * a[i] + beta));
                }
            }
            case HARD_SWISH -> {
                for (int i = from; i < to; i++) {
                    float v = a[i];
                    y[i] = v * Math.max(0f, Math.min(1f, v / 6f + 0.5f));
                }
            }
            case CLIP -> {
                for (int i = from; i < to; i++) {
                    y[i] = Math.min(max, Math.max(min, a[i]));
                }
            }
            case SQRT -> {
                // the double square root of a float, rounded to float, is the correctly rounded float square root
                for (int i = from; i < to; i++) {
                    y[i] = (float) Math.sqrt(a[i]);
                }
            }
        }
    }

    // e^x as 2^n * e^r with n = round(x / ln 2) and |r| <= ln 2 / 2, e^r by a degree-7 polynomial (the coefficients of
    // the Cephes library's expf, relative error about 2e-7); ln 2 split in two so that x - n ln 2 stays exact
    static final float LOG2E = 1.44269504088896341f;
    static final float LN2_HI = 0.693359375f;
    static final float LN2_LO = -2.12194440e-4f;
    static final float P0 = 1.9875691500e-4f;
    static final float P1 = 1.3981999507e-3f;
    static final float P2 = 8.3334519073e-3f;
    static final float P3 = 4.1665795894e-2f;
    static final float P4 = 1.6666665459e-1f;
    static final float P5 = 5.0000001201e-1f;
    /** 1.5 * 2^23: adding it rounds to an integer, which then sits in the low bits of the float. */
    static final float ROUND = 12582912f;
    static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);
    /** e^x is computed for x in this range: 2^n stays a normal float; outside it Sigmoid is 0 or 1 to 1e-38. */
    static final float EXP_MIN = -87f;
    static final float EXP_MAX = 88f;

    /**
     * {@code 1 / (1 + e^-x)}, vectorised ({@link VectorKernels#sigmoid}, where the Vector API is there) with only exactly rounded operations (multiply-add, add, multiply, divide,
     * integer bit arithmetic), so a value comes out bit for bit the same on every path: in a vector or in the scalar
     * tail, in interpreted, C1- or C2-compiled code. The vector {@code EXP} of the JDK gives other bits when the JIT has
     * not intrinsified it yet, which made two runs of one model differ in the last bit. Within a few ulp of the
     * definition; NaN stays NaN.
     */
    static void sigmoid(float[] a, float[] y, int from, int to) {
        int i = Simd.enabled() ? VectorKernels.sigmoid(a, y, from, to) : from;
        for (; i < to; i++) {
            y[i] = sigmoid(a[i]);
        }
    }

    /** The scalar form of {@link #sigmoid(float[], float[], int, int)}: the same operations in the same order. */
    static float sigmoid(float v) {
        if (v != v) {
            return v;
        }
        return 1f / (expClamped(Math.min(Math.max(-v, EXP_MIN), EXP_MAX)) + 1f);
    }

    /**
     * e^x with the operations of {@link #sigmoid(float)} (the vector form is {@link VectorKernels#exp}): 0 below
     * {@link #EXP_MIN}, at most e^{@link #EXP_MAX}, NaN stays NaN; within a few ulp of the definition.
     */
    static float exp(float x) {
        if (x != x) {
            return x;
        }
        return x < EXP_MIN ? 0f : expClamped(Math.min(x, EXP_MAX));
    }

    /** e^x for x in [{@link #EXP_MIN}, {@link #EXP_MAX}]. */
    private static float expClamped(float x) {
        float t = Math.fma(x, LOG2E, ROUND);
        float n = t - ROUND;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(r, P0, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        float e = Math.fma(p, r * r, r) + 1f;
        return e * Float.intBitsToFloat((Float.floatToRawIntBits(t) - (ROUND_BITS - 127)) << 23);
    }

    @Override
    public String warmupKind() {
        return getClass().getSimpleName() + ":" + op;
    }
}
