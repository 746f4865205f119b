package org.sparoa.backend.cuda.internal;

import org.sparoa.api.BackendException;

/** A CUDA driver call that failed: names the call and the CUDA error code. */
final class CudaException extends BackendException {
    private static final long serialVersionUID = 1L;

    CudaException(String call, int code) {
        super("CUDA driver call " + call + " failed with error " + code + " (" + CudaErrors.name(code) + ")");
    }

    CudaException(String message, Throwable cause) {
        super(message, cause);
    }

    static void check(String call, int code) {
        if (code != 0) {
            throw new CudaException(call, code);
        }
    }
}
