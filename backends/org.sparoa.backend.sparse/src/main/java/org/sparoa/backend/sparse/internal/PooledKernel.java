package org.sparoa.backend.sparse.internal;

/**
 * A kernel that takes its output (and large scratch) arrays from a pool; run on its own, with a pool that keeps
 * nothing.
 */
interface PooledKernel extends Kernel {
    @Override
    NdArray[] run(NdArray[] inputs, Parallel parallel, FloatArrayPool.Lease buffers);

    @Override
    default NdArray[] run(NdArray[] inputs, Parallel parallel) {
        return run(inputs, parallel, new FloatArrayPool.Lease(FloatArrayPool.NONE));
    }
}
