package org.sparoa.backend.sparse.internal;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;

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
     * The mean of {@code n} floats from {@code off}: four vector accumulators (independent chains, so the additions
     * overlap instead of waiting for each other), their lanes summed in double at the end with the tail; each lane
     * adds {@code n / (4 L)} values in float.
     */
    static float mean(float[] a, int off, int n) {
        int j = 0;
        int step = 4 * VectorKernels.L;
        double s = 0;
        if (n >= step) {
            FloatVector s0 = FloatVector.zero(VectorKernels.S);
            FloatVector s1 = s0;
            FloatVector s2 = s0;
            FloatVector s3 = s0;
            for (; j + step <= n; j += step) {
                s0 = s0.add(FloatVector.fromArray(VectorKernels.S, a, off + j));
                s1 = s1.add(FloatVector.fromArray(VectorKernels.S, a, off + j + VectorKernels.L));
                s2 = s2.add(FloatVector.fromArray(VectorKernels.S, a, off + j + 2 * VectorKernels.L));
                s3 = s3.add(FloatVector.fromArray(VectorKernels.S, a, off + j + 3 * VectorKernels.L));
            }
            for (FloatVector v : new FloatVector[] {s0, s1, s2, s3}) {
                for (int lane = 0; lane < VectorKernels.L; lane++) {
                    s += v.lane(lane);
                }
            }
        }
        for (; j < n; j++) {
            s += a[off + j];
        }
        return (float) (s / n);
    }
}
