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
        parallel.forRange(planes, Math.max(1, (1 << 14) / Math.max(1, inner)), (from, to) -> {
            for (int p = from; p < to; p++) {
                y[p] = mean(a, p * inner, inner);
            }
        });
        int[] shape = new int[x.rank()];
        Arrays.fill(shape, 1);
        shape[0] = x.shape[0];
        shape[1] = x.shape[1];
        return new NdArray[] {NdArray.ofFloats(shape, y)};
    }

    /**
     * The mean of {@code n} floats from {@code off}: with the Vector API, four vector accumulators (independent chains,
     * so the additions overlap instead of waiting for each other, {@link VectorKernels#sum4}), their lanes summed in
     * double with the tail; each lane adds {@code n / (4 L)} values in float. Without it, one chain in double.
     */
    static float mean(float[] a, int off, int n) {
        int j = 0;
        double s = 0;
        if (Simd.enabled() && n >= 4 * VectorKernels.L) {
            j = n - n % (4 * VectorKernels.L);
            s = VectorKernels.sum4(a, off, j);
        }
        for (; j < n; j++) {
            s += a[off + j];
        }
        return (float) (s / n);
    }
}
