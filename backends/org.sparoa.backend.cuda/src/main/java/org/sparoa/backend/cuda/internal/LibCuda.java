package org.sparoa.backend.cuda.internal;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * JNA mapping of the driver functions {@link JnaDriverApi} calls, by their versioned symbol names
 * ({@code _v2}) as {@code cuda.h} maps them. CUdevice is an int, CUdeviceptr and size_t are 64-bit (the only
 * platforms with a CUDA driver are 64-bit), handles are pointers.
 */
interface LibCuda extends Library {
    int cuInit(int flags);

    int cuDriverGetVersion(IntByReference version);

    int cuDeviceGetCount(IntByReference count);

    int cuDeviceGet(IntByReference device, int ordinal);

    int cuDeviceGetName(byte[] name, int length, int device);

    int cuDeviceGetAttribute(IntByReference value, int attribute, int device);

    int cuDeviceTotalMem_v2(LongByReference bytes, int device);

    int cuDevicePrimaryCtxRetain(PointerByReference context, int device);

    int cuDevicePrimaryCtxRelease_v2(int device);

    int cuCtxSetCurrent(Pointer context);

    int cuModuleLoadData(PointerByReference module, byte[] image);

    int cuModuleGetFunction(PointerByReference function, Pointer module, String name);

    int cuMemAlloc_v2(LongByReference devicePointer, long bytes);

    int cuMemFree_v2(long devicePointer);

    int cuMemAllocHost_v2(PointerByReference host, long bytes);

    int cuMemHostAlloc(PointerByReference host, long bytes, int flags);

    int cuMemHostGetDevicePointer_v2(LongByReference devicePointer, Pointer host, int flags);

    int cuMemFreeHost(Pointer host);

    int cuStreamCreate(PointerByReference stream, int flags);

    int cuStreamDestroy_v2(Pointer stream);

    int cuStreamSynchronize(Pointer stream);

    int cuMemcpyHtoD_v2(long dst, Pointer src, long bytes);

    int cuMemcpyHtoDAsync_v2(long dst, Pointer src, long bytes, Pointer stream);

    int cuMemcpyDtoHAsync_v2(Pointer dst, long src, long bytes, Pointer stream);

    int cuLaunchKernel(Pointer function, int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ,
                       int sharedBytes, Pointer stream, Pointer kernelParams, Pointer extra);

    int cuMemGetInfo_v2(LongByReference free, LongByReference total);
}
