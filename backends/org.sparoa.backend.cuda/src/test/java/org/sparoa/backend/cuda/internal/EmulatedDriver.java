package org.sparoa.backend.cuda.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link CudaDriver} whose device is the CPU: allocations are heap buffers at made-up addresses, copies are
 * synchronous, launches run the {@link KernelEmulator}'s Java kernels. It lets the tests drive the real runtime
 * (GpuDevice lanes, DeviceProgram's address arithmetic, staging and pooling, CudaCompiledSegment's program cache,
 * CudaGpuBackend) without a GPU, and it counts what is still allocated so leaks show.
 */
final class EmulatedDriver implements CudaDriver {
    /** Device addresses start here: a Long argument at or above it is a pointer, below it a number. */
    private static final long BASE = 1L << 40;
    private final TreeMap<Long, ByteBuffer> memory = new TreeMap<>();
    private long next = BASE;
    final AtomicInteger launches = new AtomicInteger();
    final AtomicInteger hostAllocations = new AtomicInteger();
    final AtomicInteger copies = new AtomicInteger();

    @Override
    public String binding() {
        return "emulated";
    }

    @Override
    public void init() {
    }

    @Override
    public int driverVersion() {
        return 12020;
    }

    @Override
    public int deviceCount() {
        return 1;
    }

    @Override
    public DeviceInfo device(int ordinal) {
        return new DeviceInfo(ordinal, "Emulated GPU", 8, 7, 8L << 30, 16, false);
    }

    @Override
    public Object retainPrimaryContext(int ordinal) {
        return "context";
    }

    @Override
    public void releasePrimaryContext(int ordinal) {
    }

    @Override
    public void setCurrent(Object context) {
    }

    @Override
    public Object loadModule(byte[] ptx) {
        if (ptx.length < 1000 || ptx[ptx.length - 1] != 0) {
            throw new IllegalArgumentException("not a NUL-terminated PTX image");
        }
        return "module";
    }

    @Override
    public Object function(Object module, String name) {
        for (Kernel k : Kernel.values()) {
            if (k.entry().equals(name)) {
                return k;
            }
        }
        throw new CudaException("cuModuleGetFunction(" + name + ")", 500);
    }

    @Override
    public synchronized long malloc(long bytes) {
        long at = next;
        memory.put(at, ByteBuffer.allocate((int) Math.max(bytes, 4)).order(ByteOrder.LITTLE_ENDIAN));
        next += (Math.max(bytes, 4) + 255) / 256 * 256;
        return at;
    }

    @Override
    public synchronized void free(long devicePointer) {
        if (memory.remove(devicePointer) == null) {
            throw new IllegalStateException("free of 0x" + Long.toHexString(devicePointer) + ", not allocated");
        }
    }

    synchronized int liveAllocations() {
        return memory.size();
    }

    /** The allocation holding {@code address} and the byte offset into it. */
    private synchronized Map.Entry<Long, ByteBuffer> at(long address) {
        Map.Entry<Long, ByteBuffer> e = memory.floorEntry(address);
        if (e == null || address - e.getKey() >= e.getValue().capacity()) {
            throw new IllegalStateException("0x" + Long.toHexString(address) + " is outside every allocation");
        }
        return e;
    }

    @Override
    public synchronized HostMemory mallocHost(long bytes, boolean mapped) {
        hostAllocations.incrementAndGet();
        ByteBuffer b = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (!mapped) {
            return new HostMemory(new Object(), b, 0);
        }
        // mapped: the same memory at a device address too (as cuMemHostGetDevicePointer gives)
        long at = next;
        memory.put(at, b);
        next += (Math.max(bytes, 4) + 255) / 256 * 256;
        return new HostMemory(new Object(), b, at);
    }

    @Override
    public synchronized void freeHost(HostMemory m) {
        hostAllocations.decrementAndGet();
        if (m.devicePointer() != 0 && memory.remove(m.devicePointer()) == null) {
            throw new IllegalStateException("freeHost of a mapping that is not there");
        }
    }

    @Override
    public Object createStream() {
        return new Object();
    }

    @Override
    public void destroyStream(Object stream) {
    }

    @Override
    public void synchronize(Object stream) {
    }

    @Override
    public void copyToDevice(long dst, HostMemory src, long srcOffset, long bytes, Object stream) {
        copies.incrementAndGet();
        Map.Entry<Long, ByteBuffer> e = at(dst);
        ByteBuffer from = src.buffer().duplicate();
        from.position((int) srcOffset).limit((int) (srcOffset + bytes));
        ByteBuffer to = e.getValue().duplicate();
        to.position((int) (dst - e.getKey()));
        to.put(from);
    }

    @Override
    public void copyToHost(HostMemory dst, long dstOffset, long src, long bytes, Object stream) {
        copies.incrementAndGet();
        Map.Entry<Long, ByteBuffer> e = at(src);
        ByteBuffer from = e.getValue().duplicate();
        from.position((int) (src - e.getKey())).limit((int) (src - e.getKey() + bytes));
        ByteBuffer to = dst.buffer().duplicate();
        to.position((int) dstOffset);
        to.put(from);
    }

    @Override
    public void upload(long dst, ByteBuffer src) {
        Map.Entry<Long, ByteBuffer> e = at(dst);
        ByteBuffer to = e.getValue().duplicate();
        to.position((int) (dst - e.getKey()));
        to.put(src.duplicate());
    }

    @Override
    public void launch(Object function, LaunchConfig config, Object stream, Object... args) {
        Object[] a = new Object[args.length];
        for (int i = 0; i < args.length; i++) {
            if (args[i] instanceof Long l && l >= BASE) {
                Map.Entry<Long, ByteBuffer> e = at(l);
                a[i] = KernelEmulator.Ptr.of(e.getValue(), l - e.getKey());
            } else if (args[i] instanceof Long l && l == 0 && !takesNumberAt((Kernel) function, i)) {
                a[i] = null;
            } else {
                a[i] = args[i];
            }
        }
        launches.incrementAndGet();
        KernelEmulator.launch((Kernel) function, config, a);
    }

    /** The 64-bit integer parameters ({@code long total}) of the kernels, by position. */
    private static boolean takesNumberAt(Kernel k, int i) {
        return switch (k) {
            case UNARY, STRIDED_COPY, PAD -> i == 3;
            case BINARY -> i == 4;
            case CHANNEL_AFFINE -> i == 5;
            default -> false;
        };
    }

    @Override
    public long[] memoryInfo() {
        return new long[] {(8L << 30) - (next - BASE), 8L << 30};
    }
}
