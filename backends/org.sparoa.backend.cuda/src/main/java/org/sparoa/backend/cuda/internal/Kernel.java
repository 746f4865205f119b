package org.sparoa.backend.cuda.internal;

/** The kernels of {@code sparoa_kernels.cu}, by their entry names. */
enum Kernel {
    CONV2D("conv2d"), CONV2D_CSR("conv2d_csr"), CONV1X1_CSR("conv1x1_csr"), CONV_TRANSPOSE2D("conv_transpose2d"),
    GEMM("gemm"), GEMM_CSR("gemm_csr"), UNARY("unary"), BINARY("binary"), CHANNEL_AFFINE("channel_affine"),
    STRIDED_COPY("strided_copy"), PAD("pad"), POOL2D("pool2d"), GLOBAL_AVG_POOL("global_avg_pool"),
    SOFTMAX("softmax"), RESIZE2D("resize2d");

    /** Most axes the {@code binary}, {@code strided_copy} and {@code pad} kernels index (MAX_RANK in the .cu). */
    static final int MAX_RANK = 6;

    private final String entry;

    Kernel(String entry) {
        this.entry = entry;
    }

    String entry() {
        return entry;
    }
}
