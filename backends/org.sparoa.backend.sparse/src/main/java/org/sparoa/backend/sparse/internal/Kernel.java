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

    /**
     * What the JIT has to compile for this kernel, for the warm-up's bookkeeping ({@link SegmentWarmup}): two
     * kernels of one kind run the same code, so warming one warms the other. The class, plus whatever chooses a
     * different code path inside it (a Sigmoid and a Relu share a class but not their loops).
     */
    default String warmupKind() {
        return getClass().getSimpleName();
    }
}
