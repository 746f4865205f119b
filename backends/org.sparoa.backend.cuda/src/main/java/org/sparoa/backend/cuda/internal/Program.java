package org.sparoa.backend.cuda.internal;

import java.nio.ByteBuffer;
import java.util.List;

import org.sparoa.api.DataType;

/**
 * A segment compiled for one set of input shapes: the kernel launches in order, the activation slots they use
 * (sized once, reused across steps by lifetime), and one constant block (weights, CSR arrays, the kernels' shape
 * parameters) uploaded once. Device-independent: {@link DeviceProgram} runs it on a GPU, the tests' emulator on
 * the CPU. {@code mappedSlots}: the slots of inputs and outputs that live in mapped (zero-copy) host memory, where
 * the program was built for that (integrated GPUs); each holds one value only.
 */
record Program(List<Step> steps, long[] slotBytes, ByteBuffer constants, List<Binding> inputs, List<Binding> outputs,
               boolean[] mappedSlots) {

    /**
     * A tensor crossing the segment boundary. Device-resident: {@code slot >= 0}; an output the host folded carries
     * its {@code value} instead. {@code type} is the ONNX type handed out (device data is float32; BOOL is kept as
     * 0/1 floats and converted on the way out).
     */
    record Binding(String name, int slot, long[] shape, DataType type, HostValue value) {
        long elements() {
            return Broadcast.count(shape);
        }
    }

    Program {
        steps = List.copyOf(steps);
        slotBytes = slotBytes.clone();
        mappedSlots = mappedSlots.clone();
        constants = constants.asReadOnlyBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    @Override
    public boolean[] mappedSlots() {
        return mappedSlots.clone();
    }

    boolean mapped(int slot) {
        return slot >= 0 && mappedSlots[slot];
    }

    @Override
    public long[] slotBytes() {
        return slotBytes.clone();
    }

    /** The constant block, positioned at 0. */
    @Override
    public ByteBuffer constants() {
        return constants.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
    }
}
