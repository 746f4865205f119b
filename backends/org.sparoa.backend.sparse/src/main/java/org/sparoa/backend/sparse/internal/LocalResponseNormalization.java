package org.sparoa.backend.sparse.internal;

import org.sparoa.api.Node;

/** LRN across channels: {@code y = x / (bias + alpha / size * sum of x^2 over the channel window) ^ beta}. */
final class LocalResponseNormalization implements Kernel {
    private final Node node;
    private final float alpha;
    private final float beta;
    private final float bias;
    private final int size;

    LocalResponseNormalization(Node node) {
        this.node = node;
        this.alpha = node.attrFloat("alpha", 1e-4f);
        this.beta = node.attrFloat("beta", 0.75f);
        this.bias = node.attrFloat("bias", 1f);
        this.size = (int) node.attrLong("size", 0);
        if (size <= 0) {
            throw new IllegalArgumentException(node + ": size must be positive");
        }
    }

    @Override
    public NdArray[] run(NdArray[] in, Parallel parallel) {
        NdArray x = in[0];
        if (x.rank() < 3) {
            throw new IllegalArgumentException(node + ": input must be N x C x spatial..., got " + x);
        }
        int n = x.shape[0];
        int c = x.shape[1];
        int inner = x.size() / Math.max(1, n * c);
        int before = (size - 1) / 2;
        int after = size - 1 - before;
        float[] a = x.floats;
        float[] y = new float[a.length];
        parallel.forRange(n * c, 1, (from, to) -> {
            for (int p = from; p < to; p++) {
                int img = p / c;
                int ch = p % c;
                int lo = Math.max(0, ch - before);
                int hi = Math.min(c - 1, ch + after);
                int off = p * inner;
                for (int j = 0; j < inner; j++) {
                    double sq = 0;
                    for (int k = lo; k <= hi; k++) {
                        float v = a[(img * c + k) * inner + j];
                        sq += (double) v * v;
                    }
                    y[off + j] = (float) (a[off + j] / Math.pow(bias + alpha / size * sq, beta));
                }
            }
        });
        return new NdArray[] {NdArray.ofFloats(x.shape, y)};
    }
}
