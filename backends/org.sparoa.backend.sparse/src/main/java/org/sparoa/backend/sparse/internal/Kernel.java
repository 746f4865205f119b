package org.sparoa.backend.sparse.internal;

/** One operator compiled for this backend: takes its inputs (null for an omitted optional one), returns its outputs. */
@FunctionalInterface
interface Kernel {
    NdArray[] run(NdArray[] inputs, Parallel parallel);
}
