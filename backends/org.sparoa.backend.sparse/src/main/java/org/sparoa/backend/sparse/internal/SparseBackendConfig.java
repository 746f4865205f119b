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
}
