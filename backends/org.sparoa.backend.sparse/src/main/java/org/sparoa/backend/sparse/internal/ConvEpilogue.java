package org.sparoa.backend.sparse.internal;

/**
 * What a convolution applies to each output value as it writes it ({@link ConvFusion}): an optional residual
 * operand added first, then a clamp (a fused Relu {@code [0, +inf]} or Clip), then optionally HardSwish
 * {@code v * clamp(v + 3, 0, 6) / 6}, then optionally a scale and a shift by constants, {@code v * scale + shift}
 * rounded after each operation as the Mul and Add it replaces.
 */
final class ConvEpilogue {
    static final ConvEpilogue NONE = new ConvEpilogue(Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, false);

    final float lo;
    final float hi;
    final boolean hardSwish;
    final float scale;
    final float shift;
    private final boolean clamps;
    private final boolean affine;

    ConvEpilogue(float lo, float hi, boolean hardSwish) {
        this(lo, hi, hardSwish, 1f, 0f);
    }

    ConvEpilogue(float lo, float hi, boolean hardSwish, float scale, float shift) {
        this.lo = lo;
        this.hi = hi;
        this.hardSwish = hardSwish;
        this.scale = scale;
        this.shift = shift;
        this.clamps = lo != Float.NEGATIVE_INFINITY || hi != Float.POSITIVE_INFINITY;
        this.affine = Float.floatToRawIntBits(scale) != Float.floatToRawIntBits(1f)
                || Float.floatToRawIntBits(shift) != Float.floatToRawIntBits(0f);
    }

    /** Whether it changes anything when there is no residual. */
    boolean active() {
        return clamps || hardSwish || affine;
    }

    /** Whether it scales and shifts after the activation. */
    boolean affine() {
        return affine;
    }

    /** {@code a[i] = f(a[i] + res[i])} over {@code [from, to)} ({@code res} may be null). */
    void apply(float[] a, int from, int to, float[] res) {
        activate(a, from, to, res);
        if (affine) {
            // the range was just written: a second pass over it reads the cache
            float s = scale;
            float b = shift;
            for (int i = from; i < to; i++) {
                a[i] = a[i] * s + b;
            }
        }
    }

    private void activate(float[] a, int from, int to, float[] res) {
        if (Simd.enabled()) {
            if (hardSwish) {
                VectorKernels.addClampHardSwish(a, from, to, res, lo, hi);
            } else if (res != null || clamps) {
                VectorKernels.addClamp(a, from, to, res, lo, hi);
            }
            return;
        }
        float l = lo;
        float h = hi;
        if (hardSwish) {
            for (int i = from; i < to; i++) {
                float v = Math.min(Math.max(res != null ? a[i] + res[i] : a[i], l), h);
                a[i] = v * Math.min(Math.max(v + 3f, 0f), 6f) / 6f;
            }
        } else if (res != null) {
            for (int i = from; i < to; i++) {
                a[i] = Math.min(Math.max(a[i] + res[i], l), h);
            }
        } else if (clamps) {
            for (int i = from; i < to; i++) {
                a[i] = Math.min(Math.max(a[i], l), h);
            }
        }
    }
}
