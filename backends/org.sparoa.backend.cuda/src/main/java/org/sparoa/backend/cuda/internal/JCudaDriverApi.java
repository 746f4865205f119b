package org.sparoa.backend.cuda.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/**
 * The driver API through JCuda's {@code JCudaDriver} (natives embedded for linux-x86_64 and windows-x86_64; they
 * link only the driver's {@code libcuda}). The first call of this class throws {@link UnsatisfiedLinkError} where
 * there is no driver: {@link CudaDrivers} probes it once.
 */
final class JCudaDriverApi implements CudaDriver {
    /** Device allocations by address: JCuda's pointers cannot be rebuilt from an address. */
    private final Map<Long, AddressedPointer> allocations = new ConcurrentHashMap<>();

    /** A device pointer whose address can be read (JCuda keeps it protected). */
    private static final class AddressedPointer extends CUdeviceptr {
        long address() {
            return getNativePointer();
        }
    }

    /** A host pointer whose address can be read. */
    private static final class HostPointer extends Pointer {
    }

    JCudaDriverApi() {
        JCudaDriver.setExceptionsEnabled(false);
    }

    @Override
    public String binding() {
        return "jcuda";
    }

    @Override
    public void init() {
        CudaException.check("cuInit", JCudaDriver.cuInit(0));
    }

    @Override
    public int driverVersion() {
        int[] v = new int[1];
        CudaException.check("cuDriverGetVersion", JCudaDriver.cuDriverGetVersion(v));
        return v[0];
    }

    @Override
    public int deviceCount() {
        int[] n = new int[1];
        CudaException.check("cuDeviceGetCount", JCudaDriver.cuDeviceGetCount(n));
        return n[0];
    }

    private static CUdevice dev(int ordinal) {
        CUdevice d = new CUdevice();
        CudaException.check("cuDeviceGet", JCudaDriver.cuDeviceGet(d, ordinal));
        return d;
    }

    private static int attribute(int attribute, CUdevice d) {
        int[] v = new int[1];
        CudaException.check("cuDeviceGetAttribute(" + attribute + ")", JCudaDriver.cuDeviceGetAttribute(v, attribute, d));
        return v[0];
    }

    @Override
    public DeviceInfo device(int ordinal) {
        CUdevice d = dev(ordinal);
        byte[] name = new byte[256];
        CudaException.check("cuDeviceGetName", JCudaDriver.cuDeviceGetName(name, name.length, d));
        long[] mem = new long[1];
        CudaException.check("cuDeviceTotalMem", JCudaDriver.cuDeviceTotalMem(mem, d));
        return new DeviceInfo(ordinal, DriverConstants.cString(name), attribute(DriverConstants.ATTR_CC_MAJOR, d),
                attribute(DriverConstants.ATTR_CC_MINOR, d), mem[0], attribute(DriverConstants.ATTR_SM_COUNT, d),
                attribute(DriverConstants.ATTR_INTEGRATED, d) != 0);
    }

    @Override
    public Object retainPrimaryContext(int ordinal) {
        CUcontext ctx = new CUcontext();
        CudaException.check("cuDevicePrimaryCtxRetain", JCudaDriver.cuDevicePrimaryCtxRetain(ctx, dev(ordinal)));
        setCurrent(ctx);
        return ctx;
    }

    @Override
    public void releasePrimaryContext(int ordinal) {
        CudaException.check("cuDevicePrimaryCtxRelease", JCudaDriver.cuDevicePrimaryCtxRelease(dev(ordinal)));
    }

    @Override
    public void setCurrent(Object context) {
        CudaException.check("cuCtxSetCurrent", JCudaDriver.cuCtxSetCurrent((CUcontext) context));
    }

    @Override
    public Object loadModule(byte[] ptx) {
        CUmodule m = new CUmodule();
        CudaException.check("cuModuleLoadData", JCudaDriver.cuModuleLoadData(m, ptx));
        return m;
    }

    @Override
    public Object function(Object module, String name) {
        CUfunction f = new CUfunction();
        CudaException.check("cuModuleGetFunction(" + name + ")", JCudaDriver.cuModuleGetFunction(f, (CUmodule) module, name));
        return f;
    }

    @Override
    public long malloc(long bytes) {
        AddressedPointer p = new AddressedPointer();
        CudaException.check("cuMemAlloc(" + bytes + ")", JCudaDriver.cuMemAlloc(p, Math.max(bytes, 4)));
        allocations.put(p.address(), p);
        return p.address();
    }

    private CUdeviceptr ptr(long address) {
        AddressedPointer p = allocations.get(address);
        if (p == null) {
            throw new IllegalArgumentException("0x" + Long.toHexString(address) + " is not a device allocation of this backend");
        }
        return p;
    }

    @Override
    public void free(long devicePointer) {
        AddressedPointer p = allocations.remove(devicePointer);
        if (p != null) {
            CudaException.check("cuMemFree", JCudaDriver.cuMemFree(p));
        }
    }

    @Override
    public HostMemory mallocHost(long bytes, boolean mapped) {
        HostPointer p = new HostPointer();
        long device = 0;
        if (mapped) {
            CudaException.check("cuMemHostAlloc", JCudaDriver.cuMemHostAlloc(p, bytes, DriverConstants.HOSTALLOC_DEVICEMAP));
            AddressedPointer d = new AddressedPointer();
            CudaException.check("cuMemHostGetDevicePointer", JCudaDriver.cuMemHostGetDevicePointer(d, p, 0));
            device = d.address();
        } else {
            CudaException.check("cuMemAllocHost(" + bytes + ")", JCudaDriver.cuMemAllocHost(p, bytes));
        }
        ByteBuffer b = p.getByteBuffer(0, bytes).order(ByteOrder.LITTLE_ENDIAN);
        return new HostMemory(p, b, device);
    }

    @Override
    public void freeHost(HostMemory memory) {
        CudaException.check("cuMemFreeHost", JCudaDriver.cuMemFreeHost((Pointer) memory.handle()));
    }

    @Override
    public Object createStream() {
        CUstream s = new CUstream();
        CudaException.check("cuStreamCreate", JCudaDriver.cuStreamCreate(s, DriverConstants.STREAM_NON_BLOCKING));
        return s;
    }

    @Override
    public void destroyStream(Object stream) {
        CudaException.check("cuStreamDestroy", JCudaDriver.cuStreamDestroy((CUstream) stream));
    }

    @Override
    public void synchronize(Object stream) {
        CudaException.check("cuStreamSynchronize", JCudaDriver.cuStreamSynchronize((CUstream) stream));
    }

    @Override
    public void copyToDevice(long dst, HostMemory src, long srcOffset, long bytes, Object stream) {
        CudaException.check("cuMemcpyHtoDAsync", JCudaDriver.cuMemcpyHtoDAsync(ptr(dst),
                ((Pointer) src.handle()).withByteOffset(srcOffset), bytes, (CUstream) stream));
    }

    @Override
    public void copyToHost(HostMemory dst, long dstOffset, long src, long bytes, Object stream) {
        CudaException.check("cuMemcpyDtoHAsync", JCudaDriver.cuMemcpyDtoHAsync(
                ((Pointer) dst.handle()).withByteOffset(dstOffset), ptr(src), bytes, (CUstream) stream));
    }

    @Override
    public void upload(long dst, ByteBuffer src) {
        byte[] bytes = new byte[src.remaining()];
        src.duplicate().get(bytes);
        CudaException.check("cuMemcpyHtoD", JCudaDriver.cuMemcpyHtoD(ptr(dst), Pointer.to(bytes), bytes.length));
    }

    @Override
    public void launch(Object function, LaunchConfig c, Object stream, Object... args) {
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof Long l) {
                params[i] = Pointer.to(new long[] {l});
            } else if (a instanceof Integer n) {
                params[i] = Pointer.to(new int[] {n});
            } else if (a instanceof Float f) {
                params[i] = Pointer.to(new float[] {f});
            } else {
                throw new IllegalArgumentException("kernel argument " + i + " is " + a);
            }
        }
        CudaException.check("cuLaunchKernel", JCudaDriver.cuLaunchKernel((CUfunction) function, c.gridX(), c.gridY(),
                c.gridZ(), c.blockX(), c.blockY(), c.blockZ(), c.sharedBytes(), (CUstream) stream, Pointer.to(params), null));
    }

    @Override
    public long[] memoryInfo() {
        long[] free = new long[1];
        long[] total = new long[1];
        CudaException.check("cuMemGetInfo", JCudaDriver.cuMemGetInfo(free, total));
        return new long[] {free[0], total[0]};
    }
}
