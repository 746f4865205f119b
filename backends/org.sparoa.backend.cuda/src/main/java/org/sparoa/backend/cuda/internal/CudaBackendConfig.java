package org.sparoa.backend.cuda.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "SparOA CUDA GPU backend",
        description = "cuda-gpu: our dense and CSR-sparse kernels on an NVIDIA GPU through the CUDA driver API.")
public @interface CudaBackendConfig {

    @AttributeDefinition(name = "Device", description = "CUDA device ordinal.")
    int device() default 0;

    @AttributeDefinition(name = "Streams",
            description = "CUDA streams, each with its own thread and buffers: how many segments run at once.")
    int streams() default 2;

    @AttributeDefinition(name = "Memory pool (MiB)",
            description = "Device memory kept for pooled activation buffers between runs; beyond it, buffers are"
                    + " freed after each run.")
    int memoryPoolMb() default 1024;

    @AttributeDefinition(name = "Dense below sparsity",
            description = "Conv/Gemm/MatMul weights with a smaller fraction of zeros use the dense kernels, the"
                    + " others the CSR ones.")
    double denseBelowSparsity() default 0.7;

    @AttributeDefinition(name = "Binding", description = "auto (JCuda on x86-64, else JNA), jcuda or jna.")
    String binding() default "auto";

    @AttributeDefinition(name = "Zero-copy I/O",
            description = "auto (on for a GPU that shares the host's DRAM, e.g. Jetson), on or off: segment inputs and"
                    + " outputs in mapped host memory that the kernels read and write in place, instead of copies.")
    String zeroCopy() default "auto";

    @AttributeDefinition(name = "State poll (ms)",
            description = "How often live GPU state (utilisation, memory, power, temperature) is refreshed.")
    int statePollMillis() default 1000;
}
