package org.sparoa.backend.cuda.internal;

import java.nio.ByteBuffer;

/**
 * The part of the CUDA driver API this backend uses, behind one interface so that JCuda ({@link JCudaDriverApi},
 * x86-64) and JNA ({@link JnaDriverApi}, any architecture with {@code libcuda.so.1}, Jetson included) are
 * interchangeable. Handles are opaque to callers; device pointers are plain 64-bit device addresses. Every method
 * throws {@link CudaException} naming the failed call and its CUDA error code.
 */
interface CudaDriver {

    /** Which binding this is, for logs: {@code jcuda} or {@code jna}. */
    String binding();

    void init();

    int driverVersion();

    int deviceCount();

    DeviceInfo device(int ordinal);

    /** Retains the device's primary context and makes it current on the calling thread. */
    Object retainPrimaryContext(int ordinal);

    void releasePrimaryContext(int ordinal);

    /** Makes the context current on the calling thread (each thread that talks to the device must). */
    void setCurrent(Object context);

    Object loadModule(byte[] nulTerminatedPtx);

    Object function(Object module, String name);

    long malloc(long bytes);

    void free(long devicePointer);

    /** Page-locked host memory; {@code mapped} also maps it into the device's address space (zero-copy). */
    HostMemory mallocHost(long bytes, boolean mapped);

    void freeHost(HostMemory memory);

    Object createStream();

    void destroyStream(Object stream);

    void synchronize(Object stream);

    void copyToDevice(long dst, HostMemory src, long srcOffset, long bytes, Object stream);

    void copyToHost(HostMemory dst, long dstOffset, long src, long bytes, Object stream);

    /** Synchronous upload from any host buffer (weights, once per program). */
    void upload(long dst, ByteBuffer src);

    /**
     * Launches {@code function}; {@code args} are its parameters in order: {@link Long} (a device pointer, 0 for
     * null, or a 64-bit integer), {@link Integer} or {@link Float}.
     */
    void launch(Object function, LaunchConfig config, Object stream, Object... args);

    /** Free and total device memory of the current context's device, bytes. */
    long[] memoryInfo();

    /** Page-locked host memory: its host view and, when mapped, its device address (else 0). */
    record HostMemory(Object handle, ByteBuffer buffer, long devicePointer) {
    }
}
