package org.sparoa.backend.sparse.internal;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import org.sparoa.api.Node;

/** Float32 activations applied element by element: Relu, LeakyRelu, Sigmoid, HardSigmoid, HardSwish, Clip. */
final class ElementwiseUnary implements PooledKernel {
    enum Op { RELU, LEAKY_RELU, SIGMOID, HARD_SIGMOID, HARD_SWISH, CLIP }

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
        }
    }

    /**
     * {@code 1 / (1 + e^-x)}, vectorised: the vector {@code EXP} is the JDK's short-vector math library on x86-64
     * (SVML), about ten times faster than {@link Math#exp} per element; the tail takes the scalar form.
     */
    static void sigmoid(float[] a, float[] y, int from, int to) {
        int i = from;
        int bound = from + VectorKernels.S.loopBound(to - from);
        FloatVector one = FloatVector.broadcast(VectorKernels.S, 1f);
        for (; i < bound; i += VectorKernels.L) {
            FloatVector e = FloatVector.fromArray(VectorKernels.S, a, i).neg().lanewise(VectorOperators.EXP);
            one.div(one.add(e)).intoArray(y, i);
        }
        for (; i < to; i++) {
            y[i] = (float) (1.0 / (1.0 + Math.exp(-a[i])));
        }
    }
}
