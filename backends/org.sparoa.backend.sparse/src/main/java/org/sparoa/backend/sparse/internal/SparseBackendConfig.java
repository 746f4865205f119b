package org.sparoa.backend.sparse.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "SparOA sparse CPU backend",
        description = "Pure Java kernels that skip zero weights (CSR) for the CNN operator set.")
public @interface SparseBackendConfig {

    @AttributeDefinition(name = "Threads",
            description = "Worker threads for one inference (intra-op parallelism); 0 = available processors.")
    int threads() default 0;

    @AttributeDefinition(name = "Dense below sparsity",
            description = "Conv/Gemm/MatMul weights with a smaller fraction of zeros are kept dense instead of CSR.")
    double denseBelowSparsity() default CsrMatrix.DEFAULT_DENSE_BELOW_SPARSITY;

    @AttributeDefinition(name = "Spin microseconds",
            description = "How long a worker thread spin-waits for the next parallel loop before it parks; 0 = park"
                    + " at once (frees the cores sooner, costs a thread wake-up on most loops).")
    long spinMicros() default SparseCpuBackend.DEFAULT_SPIN_MICROS;

    @AttributeDefinition(name = "Hand-over",
            description = "How tensors leave a segment: direct (float outputs in direct buffers that ONNX Runtime reads"
                    + " without a copy, the segment's arrays recycled, idle workers parked as soon as a segment run"
                    + " ends so the next backend gets the cores) or copy (heap copies, workers spin after the run:"
                    + " the behaviour before issue 12, for comparison).")
    String handOver() default "direct";

    @AttributeDefinition(name = "Warm-up runs",
            description = "At most this many runs on seeded random inputs when a segment is compiled, so that the"
                    + " JIT has compiled its kernels before it is measured or serves (it stops earlier once the JIT"
                    + " compiles nothing more, or when its kinds of kernel were warmed by another segment); 0 = none.")
    int warmupRuns() default SparseCpuBackend.DEFAULT_WARMUP_RUNS;

    @AttributeDefinition(name = "Warm-up milliseconds",
            description = "At most this much CPU time of the compiling thread for the warm-up of one segment (checked"
                    + " between runs; wall-clock time at most ten times this).")
    long warmupMillis() default SparseCpuBackend.DEFAULT_WARMUP_MILLIS;

    @AttributeDefinition(name = "CPUs",
            description = "The CPUs this backend runs on, as Linux writes CPU lists (e.g. 2-3): its worker threads,"
                    + " its main thread and, while a segment runs, a synchronous caller's thread are pinned there;"
                    + " threads = 0 then means one per CPU of the set. Empty = every core of the machine, shared with"
                    + " the other CPU backends. Give two CPU backends disjoint sets, and a load on one's cores leaves"
                    + " the other's alone (Linux only).")
    String cpus() default "";
}
