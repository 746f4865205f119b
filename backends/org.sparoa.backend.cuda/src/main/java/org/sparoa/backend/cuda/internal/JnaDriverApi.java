package org.sparoa.backend.cuda.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The driver API through JNA over {@code libcuda.so.1}: the binding for Jetson (no JCuda natives exist for
 * linux-aarch64) and a fallback elsewhere. Loading the library throws {@link UnsatisfiedLinkError} where there is
 * no driver: {@link CudaDrivers} probes it once.
 */
final class JnaDriverApi implements CudaDriver {
    private final LibCuda cu;

    JnaDriverApi(String library) {
        this.cu = Native.load(library, LibCuda.class);
    }

    @Override
    public String binding() {
        return "jna";
    }

    @Override
    public void init() {
        CudaException.check("cuInit", cu.cuInit(0));
    }

    @Override
    public int driverVersion() {
        IntByReference v = new IntByReference();
        CudaException.check("cuDriverGetVersion", cu.cuDriverGetVersion(v));
        return v.getValue();
    }

    @Override
    public int deviceCount() {
        IntByReference n = new IntByReference();
        CudaException.check("cuDeviceGetCount", cu.cuDeviceGetCount(n));
        return n.getValue();
    }

    private int dev(int ordinal) {
        IntByReference d = new IntByReference();
        CudaException.check("cuDeviceGet", cu.cuDeviceGet(d, ordinal));
        return d.getValue();
    }

    private int attribute(int attribute, int device) {
        IntByReference v = new IntByReference();
        CudaException.check("cuDeviceGetAttribute(" + attribute + ")", cu.cuDeviceGetAttribute(v, attribute, device));
        return v.getValue();
    }

    @Override
    public DeviceInfo device(int ordinal) {
        int d = dev(ordinal);
        byte[] name = new byte[256];
        CudaException.check("cuDeviceGetName", cu.cuDeviceGetName(name, name.length, d));
        LongByReference mem = new LongByReference();
        CudaException.check("cuDeviceTotalMem", cu.cuDeviceTotalMem_v2(mem, d));
        return new DeviceInfo(ordinal, DriverConstants.cString(name), attribute(DriverConstants.ATTR_CC_MAJOR, d),
                attribute(DriverConstants.ATTR_CC_MINOR, d), mem.getValue(), attribute(DriverConstants.ATTR_SM_COUNT, d),
                attribute(DriverConstants.ATTR_INTEGRATED, d) != 0);
    }

    @Override
    public Object retainPrimaryContext(int ordinal) {
        PointerByReference ctx = new PointerByReference();
        CudaException.check("cuDevicePrimaryCtxRetain", cu.cuDevicePrimaryCtxRetain(ctx, dev(ordinal)));
        setCurrent(ctx.getValue());
        return ctx.getValue();
    }

    @Override
    public void releasePrimaryContext(int ordinal) {
        CudaException.check("cuDevicePrimaryCtxRelease", cu.cuDevicePrimaryCtxRelease_v2(dev(ordinal)));
    }

    @Override
    public void setCurrent(Object context) {
        CudaException.check("cuCtxSetCurrent", cu.cuCtxSetCurrent((Pointer) context));
    }

    @Override
    public Object loadModule(byte[] ptx) {
        PointerByReference m = new PointerByReference();
        CudaException.check("cuModuleLoadData", cu.cuModuleLoadData(m, ptx));
        return m.getValue();
    }

    @Override
    public Object function(Object module, String name) {
        PointerByReference f = new PointerByReference();
        CudaException.check("cuModuleGetFunction(" + name + ")", cu.cuModuleGetFunction(f, (Pointer) module, name));
        return f.getValue();
    }

    @Override
    public long malloc(long bytes) {
        LongByReference p = new LongByReference();
        CudaException.check("cuMemAlloc(" + bytes + ")", cu.cuMemAlloc_v2(p, Math.max(bytes, 4)));
        return p.getValue();
    }

    @Override
    public void free(long devicePointer) {
        CudaException.check("cuMemFree", cu.cuMemFree_v2(devicePointer));
    }

    @Override
    public HostMemory mallocHost(long bytes, boolean mapped) {
        PointerByReference p = new PointerByReference();
        long device = 0;
        if (mapped) {
            CudaException.check("cuMemHostAlloc", cu.cuMemHostAlloc(p, bytes, DriverConstants.HOSTALLOC_DEVICEMAP));
            LongByReference d = new LongByReference();
            CudaException.check("cuMemHostGetDevicePointer", cu.cuMemHostGetDevicePointer_v2(d, p.getValue(), 0));
            device = d.getValue();
        } else {
            CudaException.check("cuMemAllocHost(" + bytes + ")", cu.cuMemAllocHost_v2(p, bytes));
        }
        ByteBuffer b = p.getValue().getByteBuffer(0, bytes).order(ByteOrder.LITTLE_ENDIAN);
        return new HostMemory(p.getValue(), b, device);
    }

    @Override
    public void freeHost(HostMemory memory) {
        CudaException.check("cuMemFreeHost", cu.cuMemFreeHost((Pointer) memory.handle()));
    }

    @Override
    public Object createStream() {
        PointerByReference s = new PointerByReference();
        CudaException.check("cuStreamCreate", cu.cuStreamCreate(s, DriverConstants.STREAM_NON_BLOCKING));
        return s.getValue();
    }

    @Override
    public void destroyStream(Object stream) {
        CudaException.check("cuStreamDestroy", cu.cuStreamDestroy_v2((Pointer) stream));
    }

    @Override
    public void synchronize(Object stream) {
        CudaException.check("cuStreamSynchronize", cu.cuStreamSynchronize((Pointer) stream));
    }

    @Override
    public void copyToDevice(long dst, HostMemory src, long srcOffset, long bytes, Object stream) {
        CudaException.check("cuMemcpyHtoDAsync", cu.cuMemcpyHtoDAsync_v2(dst,
                ((Pointer) src.handle()).share(srcOffset), bytes, (Pointer) stream));
    }

    @Override
    public void copyToHost(HostMemory dst, long dstOffset, long src, long bytes, Object stream) {
        CudaException.check("cuMemcpyDtoHAsync", cu.cuMemcpyDtoHAsync_v2(((Pointer) dst.handle()).share(dstOffset),
                src, bytes, (Pointer) stream));
    }

    @Override
    public void upload(long dst, ByteBuffer src) {
        int n = src.remaining();
        try (Memory m = new Memory(Math.max(n, 1))) {
            m.getByteBuffer(0, n).put(src.duplicate());
            CudaException.check("cuMemcpyHtoD", cu.cuMemcpyHtoD_v2(dst, m, n));
        }
    }

    @Override
    public void launch(Object function, LaunchConfig c, Object stream, Object... args) {
        // one block of 8 bytes per argument, and the array of pointers to them that cuLaunchKernel reads
        try (Memory values = new Memory(8L * Math.max(args.length, 1));
             Memory pointers = new Memory((long) Native.POINTER_SIZE * Math.max(args.length, 1))) {
            for (int i = 0; i < args.length; i++) {
                Object a = args[i];
                long at = 8L * i;
                if (a instanceof Long l) {
                    values.setLong(at, l);
                } else if (a instanceof Integer n) {
                    values.setInt(at, n);
                } else if (a instanceof Float f) {
                    values.setFloat(at, f);
                } else {
                    throw new IllegalArgumentException("kernel argument " + i + " is " + a);
                }
                pointers.setPointer((long) Native.POINTER_SIZE * i, values.share(at));
            }
            CudaException.check("cuLaunchKernel", cu.cuLaunchKernel((Pointer) function, c.gridX(), c.gridY(),
                    c.gridZ(), c.blockX(), c.blockY(), c.blockZ(), c.sharedBytes(), (Pointer) stream, pointers, null));
        }
    }

    @Override
    public long[] memoryInfo() {
        LongByReference free = new LongByReference();
        LongByReference total = new LongByReference();
        CudaException.check("cuMemGetInfo", cu.cuMemGetInfo_v2(free, total));
        return new long[] {free.getValue(), total.getValue()};
    }
}
