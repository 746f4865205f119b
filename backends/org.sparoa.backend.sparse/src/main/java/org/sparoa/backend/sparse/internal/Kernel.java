package org.sparoa.backend.sparse.internal;

/** One operator compiled for this backend: takes its inputs (null for an omitted optional one), returns its outputs. */
@FunctionalInterface
interface Kernel {
    NdArray[] run(NdArray[] inputs, Parallel parallel);

    /**
     * As {@link #run(NdArray[], Parallel)}, with the output (and large scratch) arrays taken from {@code buffers}
     * where the kernel supports it: a kernel that does writes every element of what it takes. Segments call this
     * form and recycle each intermediate tensor's array after its last use.
     */
    default NdArray[] run(NdArray[] inputs, Parallel parallel, FloatArrayPool.Lease buffers) {
        return run(inputs, parallel);
    }
}
