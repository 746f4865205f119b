package org.sparoa.backend.cuda.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.sparoa.api.DataType;
import org.sparoa.api.InvalidInputException;
import org.sparoa.api.Tensor;

/**
 * A {@link Program} on the GPU: its constant block uploaded once, and a pool of per-run buffer sets (the
 * activation slots in device memory plus one pinned host staging area for inputs and outputs), so a run
 * allocates nothing once warm. A program built for zero-copy (integrated GPUs) has its inputs and outputs in mapped
 * host memory instead: written and read in place, no copies. A run copies its inputs in, launches every step and copies its outputs out, all
 * asynchronously on its lane's stream, then waits on that stream once. Methods run on lane threads.
 */
final class DeviceProgram implements AutoCloseable {
    private final Program program;
    private final GpuDevice device;
    private final long constants;
    private final ConcurrentLinkedQueue<Buffers> pool = new ConcurrentLinkedQueue<>();
    private final long[] inputOffsets;
    private final long[] outputOffsets;
    private final long stagingBytes;

    /** One run's buffers: device addresses per slot (mapped slots: the device address of their host memory). */
    private record Buffers(long[] slots, CudaDriver.HostMemory[] mapped, CudaDriver.HostMemory staging, long bytes) {
    }

    DeviceProgram(Program program, GpuDevice device) {
        this.program = program;
        this.device = device;
        ByteBuffer c = program.constants();
        this.constants = device.driver.malloc(c.remaining());
        device.driver.upload(constants, c);
        long at = 0;
        // staging for what is copied: not for bindings in mapped slots, nor for outputs the host computed
        inputOffsets = new long[program.inputs().size()];
        for (int i = 0; i < inputOffsets.length; i++) {
            Program.Binding in = program.inputs().get(i);
            inputOffsets[i] = program.mapped(in.slot()) ? -1 : at;
            at = program.mapped(in.slot()) ? at : align(at + 4 * in.elements());
        }
        outputOffsets = new long[program.outputs().size()];
        for (int i = 0; i < outputOffsets.length; i++) {
            Program.Binding o = program.outputs().get(i);
            boolean copied = o.slot() >= 0 && !program.mapped(o.slot());
            outputOffsets[i] = copied ? at : -1;
            at = copied ? align(at + 4 * o.elements()) : at;
        }
        stagingBytes = Math.max(at, 4);
    }

    private static long align(long v) {
        return (v + 255) / 256 * 256;
    }

    Program program() {
        return program;
    }

    Map<String, Tensor> run(Map<String, Tensor> inputs, GpuDevice.Lane lane) {
        Buffers b = acquire();
        CudaDriver d = device.driver;
        try {
            ByteBuffer st = b.staging().buffer();
            List<Program.Binding> ins = program.inputs();
            for (int i = 0; i < ins.size(); i++) {
                Program.Binding in = ins.get(i);
                Tensor t = inputs.get(in.name());
                if (t == null) {
                    throw new InvalidInputException("input '" + in.name() + "' is missing");
                }
                putInput(b, i, t, lane);
            }
            launchSteps(b, lane);
            List<Program.Binding> outs = program.outputs();
            for (int i = 0; i < outs.size(); i++) {
                Program.Binding o = outs.get(i);
                if (outputOffsets[i] >= 0) {
                    d.copyToHost(b.staging(), outputOffsets[i], b.slots()[o.slot()], 4 * o.elements(), lane.stream);
                }
            }
            d.synchronize(lane.stream);
            Map<String, Tensor> result = new HashMap<>();
            for (int i = 0; i < outs.size(); i++) {
                Program.Binding o = outs.get(i);
                if (o.slot() < 0) {
                    result.put(o.name(), o.value().toTensor());
                    continue;
                }
                float[] v = new float[(int) o.elements()];
                ByteBuffer src = program.mapped(o.slot()) ? b.mapped()[o.slot()].buffer().duplicate()
                        : st.duplicate();
                src.order(ByteOrder.LITTLE_ENDIAN).position(program.mapped(o.slot()) ? 0 : (int) outputOffsets[i]);
                src.asFloatBuffer().get(v);
                result.put(o.name(), toTensor(o, v));
            }
            release(b);
            return result;
        } catch (RuntimeException e) {
            free(b); // a failed run may leave work queued on these buffers: never reuse them
            throw e;
        }
    }

    private void launchSteps(Buffers b, GpuDevice.Lane lane) {
        CudaDriver d = device.driver;
        for (Step s : program.steps()) {
            Object[] args = new Object[s.args().size()];
            for (int k = 0; k < args.length; k++) {
                Arg a = s.args().get(k);
                if (a instanceof Arg.Slot slot) {
                    args[k] = b.slots()[slot.slot()];
                } else if (a instanceof Arg.Constant c) {
                    args[k] = constants + c.byteOffset();
                } else if (a instanceof Arg.I64 l) {
                    args[k] = l.value();
                } else if (a instanceof Arg.F32 f) {
                    args[k] = f.value();
                } else {
                    args[k] = 0L;
                }
            }
            d.launch(device.function(s.kernel()), s.config(), lane.stream, args);
        }
    }

    /**
     * Milliseconds per run of the kernels alone (inputs uploaded once before, nothing copied back), over
     * {@code repeats} back-to-back runs on the lane's stream: what the device computes, without the hand-over.
     */
    double kernelMillis(Map<String, Tensor> inputs, GpuDevice.Lane lane, int repeats) {
        Buffers b = acquire();
        try {
            List<Program.Binding> ins = program.inputs();
            for (int i = 0; i < ins.size(); i++) {
                putInput(b, i, inputs.get(ins.get(i).name()), lane);
            }
            launchSteps(b, lane);
            device.driver.synchronize(lane.stream);
            long t0 = System.nanoTime();
            for (int r = 0; r < repeats; r++) {
                launchSteps(b, lane);
            }
            device.driver.synchronize(lane.stream);
            double ms = (System.nanoTime() - t0) / 1e6 / Math.max(1, repeats);
            release(b);
            return ms;
        } catch (RuntimeException e) {
            free(b);
            throw e;
        }
    }

    /** Input {@code i} into its slot: written in place when the slot is mapped host memory, else staged and copied. */
    private void putInput(Buffers b, int i, Tensor t, GpuDevice.Lane lane) {
        Program.Binding in = program.inputs().get(i);
        boolean mapped = program.mapped(in.slot());
        ByteBuffer dst = (mapped ? b.mapped()[in.slot()].buffer() : b.staging().buffer()).duplicate()
                .order(ByteOrder.LITTLE_ENDIAN);
        dst.position(mapped ? 0 : (int) inputOffsets[i]);
        dst.asFloatBuffer().put(t.toFloatArray());
        if (!mapped) {
            device.driver.copyToDevice(b.slots()[in.slot()], b.staging(), inputOffsets[i], 4 * in.elements(), lane.stream);
        }
    }

    static Tensor toTensor(Program.Binding o, float[] v) {
        if (o.type() == DataType.BOOL) {
            ByteBuffer bytes = ByteBuffer.allocate(v.length);
            for (float f : v) {
                bytes.put((byte) (f != 0 ? 1 : 0));
            }
            bytes.flip();
            return Tensor.wrap(DataType.BOOL, o.shape(), bytes);
        }
        return Tensor.ofFloats(o.shape(), v);
    }

    private Buffers acquire() {
        Buffers b = pool.poll();
        if (b != null) {
            device.releasePool(b.bytes());
            return b;
        }
        long[] sizes = program.slotBytes();
        long[] slots = new long[sizes.length];
        CudaDriver.HostMemory[] mapped = new CudaDriver.HostMemory[sizes.length];
        long total = 0;
        for (int i = 0; i < sizes.length; i++) {
            if (program.mapped(i)) {
                mapped[i] = device.driver.mallocHost(Math.max(sizes[i], 4), true);
                slots[i] = mapped[i].devicePointer();
            } else {
                slots[i] = device.driver.malloc(sizes[i]);
            }
            total += sizes[i];
        }
        return new Buffers(slots, mapped, device.driver.mallocHost(stagingBytes, false), total + stagingBytes);
    }

    private void release(Buffers b) {
        if (device.reservePool(b.bytes())) {
            pool.add(b);
        } else {
            free(b);
        }
    }

    private void free(Buffers b) {
        for (int i = 0; i < b.slots().length; i++) {
            if (b.mapped()[i] != null) {
                device.driver.freeHost(b.mapped()[i]);
            } else {
                device.driver.free(b.slots()[i]);
            }
        }
        device.driver.freeHost(b.staging());
    }

    /** Frees every pooled buffer set and the constants; call on a lane thread once no run is in flight. */
    @Override
    public void close() {
        Buffers b;
        while ((b = pool.poll()) != null) {
            device.releasePool(b.bytes());
            free(b);
        }
        device.driver.free(constants);
    }
}
