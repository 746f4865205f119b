package org.sparoa.backend.sparse.internal;

import org.sparoa.api.Node;

/** Inference-mode BatchNormalization over axis 1: {@code y = (x - mean) / sqrt(var + eps) * scale + bias}. */
final class BatchNormalization implements PooledKernel {
    private final Node node;
    private final float epsilon;

    BatchNormalization(Node node) {
        this.node = node;
        this.epsilon = node.attrFloat("epsilon", 1e-5f);
    }

    @Override
    public NdArray[] run(NdArray[] in, Parallel parallel, FloatArrayPool.Lease buffers) {
        NdArray x = in[0];
        if (x.rank() < 2) {
            throw new IllegalArgumentException(node + ": input must have a channel axis, got " + x);
        }
        int n = x.shape[0];
        int c = x.shape[1];
        int inner = x.size() / Math.max(1, n * c);
        float[] scale = channelValues(in[1], c, "scale");
        float[] bias = channelValues(in[2], c, "B");
        float[] mean = channelValues(in[3], c, "input_mean");
        float[] var = channelValues(in[4], c, "input_var");
        float[] mul = new float[c];
        float[] add = new float[c];
        for (int i = 0; i < c; i++) {
            mul[i] = (float) (scale[i] / Math.sqrt((double) var[i] + epsilon));
            add[i] = bias[i] - mean[i] * mul[i];
        }
        float[] a = x.floats;
        float[] y = buffers.take(a.length);
        parallel.forRange(n * c, 1, (from, to) -> {
            for (int p = from; p < to; p++) {
                float s = mul[p % c];
                float t = add[p % c];
                int off = p * inner;
                for (int j = 0; j < inner; j++) {
                    y[off + j] = a[off + j] * s + t;
                }
            }
        });
        return new NdArray[] {NdArray.ofFloats(x.shape, y)};
    }

    private float[] channelValues(NdArray t, int c, String what) {
        if (t == null || t.size() != c) {
            throw new IllegalArgumentException(node + ": " + what + " must hold " + c + " values, got " + t);
        }
        return t.asFloats();
    }
}
