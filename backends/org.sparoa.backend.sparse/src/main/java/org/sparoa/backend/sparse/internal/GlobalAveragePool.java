package org.sparoa.backend.sparse.internal;

import java.util.Arrays;

import org.sparoa.api.Node;

/** GlobalAveragePool: the mean of every (image, channel) plane, spatial axes kept as size 1. */
final class GlobalAveragePool implements PooledKernel {
    private final Node node;

    GlobalAveragePool(Node node) {
        this.node = node;
    }

    @Override
    public NdArray[] run(NdArray[] in, Parallel parallel, FloatArrayPool.Lease buffers) {
        NdArray x = in[0];
        if (x.rank() < 3) {
            throw new IllegalArgumentException(node + ": input must be N x C x spatial..., got " + x);
        }
        int planes = x.shape[0] * x.shape[1];
        int inner = x.size() / Math.max(1, planes);
        float[] a = x.asFloats();
        float[] y = buffers.take(planes);
        parallel.forRange(planes, 8, (from, to) -> {
            for (int p = from; p < to; p++) {
                double s = 0;
                int off = p * inner;
                for (int j = 0; j < inner; j++) {
                    s += a[off + j];
                }
                y[p] = (float) (s / inner);
            }
        });
        int[] shape = new int[x.rank()];
        Arrays.fill(shape, 1);
        shape[0] = x.shape[0];
        shape[1] = x.shape[1];
        return new NdArray[] {NdArray.ofFloats(shape, y)};
    }
}
