package org.sparoa.backend.cuda.internal;

/** Names of the CUDA driver error codes a user is likely to meet (the rest print as their number). */
final class CudaErrors {
    private CudaErrors() {
    }

    static String name(int code) {
        return switch (code) {
            case 0 -> "CUDA_SUCCESS";
            case 1 -> "CUDA_ERROR_INVALID_VALUE";
            case 2 -> "CUDA_ERROR_OUT_OF_MEMORY";
            case 3 -> "CUDA_ERROR_NOT_INITIALIZED";
            case 4 -> "CUDA_ERROR_DEINITIALIZED";
            case 100 -> "CUDA_ERROR_NO_DEVICE";
            case 101 -> "CUDA_ERROR_INVALID_DEVICE";
            case 200 -> "CUDA_ERROR_INVALID_IMAGE";
            case 201 -> "CUDA_ERROR_INVALID_CONTEXT";
            case 209 -> "CUDA_ERROR_NO_BINARY_FOR_GPU";
            case 218 -> "CUDA_ERROR_INVALID_PTX";
            case 222 -> "CUDA_ERROR_UNSUPPORTED_PTX_VERSION";
            case 301 -> "CUDA_ERROR_FILE_NOT_FOUND";
            case 400 -> "CUDA_ERROR_INVALID_HANDLE";
            case 500 -> "CUDA_ERROR_NOT_FOUND";
            case 700 -> "CUDA_ERROR_ILLEGAL_ADDRESS";
            case 701 -> "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES";
            case 702 -> "CUDA_ERROR_LAUNCH_TIMEOUT";
            case 719 -> "CUDA_ERROR_LAUNCH_FAILED";
            case 999 -> "CUDA_ERROR_UNKNOWN";
            default -> "see cuda.h";
        };
    }
}
