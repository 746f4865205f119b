package org.sparoa.backend.cuda.internal;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.sparoa.api.BackendException;
import org.sparoa.api.CompiledSegment;
import org.sparoa.api.DataType;
import org.sparoa.api.Segment;
import org.sparoa.api.SparoaException;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;

/**
 * A segment on the GPU. Kernels need static shapes, so a {@link Program} is built per input signature (float
 * inputs' shapes, integer inputs' values) on first use and kept with its device buffers; runs are asynchronous on
 * the device's stream lanes.
 */
final class CudaCompiledSegment implements CompiledSegment {
    private final Segment segment;
    private final CudaGpuBackend backend;
    private final Map<String, CompletableFuture<DeviceProgram>> programs = new ConcurrentHashMap<>();
    private final java.util.Set<String> parameters;

    CudaCompiledSegment(Segment segment, CudaGpuBackend backend) {
        this.segment = segment;
        this.backend = backend;
        this.parameters = ParameterInputs.readAsParameters(segment.nodes());
    }

    @Override
    public Segment segment() {
        return segment;
    }

    @Override
    public String backendId() {
        return CudaGpuBackend.ID;
    }

    @Override
    public CompletableFuture<Map<String, Tensor>> execute(Map<String, Tensor> inputs) {
        String key;
        try {
            key = signature(inputs);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return backend.device().submit(lane -> {
            DeviceProgram p = programs.computeIfAbsent(key, k -> CompletableFuture.completedFuture(build(inputs))).join();
            return p.run(inputs, lane);
        });
    }

    /** Milliseconds per run of this segment's kernels alone on the GPU (see {@link DeviceProgram#kernelMillis}). */
    double kernelMillis(Map<String, Tensor> inputs, int repeats) {
        String key = signature(inputs);
        return backend.device().submit(lane -> {
            DeviceProgram p = programs.computeIfAbsent(key, k -> CompletableFuture.completedFuture(build(inputs))).join();
            return p.kernelMillis(inputs, lane, repeats);
        }).join();
    }

    /** The kernels of the program for these inputs, in launch order (for reports). */
    java.util.List<String> kernels(Map<String, Tensor> inputs) {
        String key = signature(inputs);
        return backend.device().submit(lane -> programs.computeIfAbsent(key,
                k -> CompletableFuture.completedFuture(build(inputs))).join().program().steps().stream()
                .map(s -> s.kernel().entry()).toList()).join();
    }

    private DeviceProgram build(Map<String, Tensor> inputs) {
        try {
            Program program = ProgramBuilder.compile(segment.graph(), segment.nodes(), segment.inputs(),
                    segment.outputs(), inputs, backend.denseBelowSparsity(), backend.zeroCopy());
            return new DeviceProgram(program, backend.device());
        } catch (SparoaException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new BackendException("cuda-gpu cannot compile " + segment + ": " + e.getMessage(), e);
        }
    }

    /** What a program is specific to: each input's shape, and the values of integer and parameter inputs. */
    String signature(Map<String, Tensor> inputs) {
        StringBuilder sb = new StringBuilder();
        for (TensorInfo in : segment.inputs()) {
            Tensor t = inputs.get(in.name());
            if (t == null) {
                throw new org.sparoa.api.InvalidInputException("input '" + in.name() + "' of " + segment + " is missing");
            }
            sb.append(in.name()).append(Arrays.toString(t.shape()));
            if (t.type() != DataType.FLOAT && t.type() != DataType.BOOL) {
                sb.append('=').append(Arrays.toString(t.toLongArray()));
            } else if (parameters.contains(in.name())) {
                sb.append('=').append(Arrays.toString(t.toFloatArray()));
            }
            sb.append(';');
        }
        return sb.toString();
    }

    @Override
    public void close() {
        for (CompletableFuture<DeviceProgram> f : programs.values()) {
            backend.device().submit(lane -> {
                f.join().close();
                return null;
            }).exceptionally(e -> null).join();
        }
        programs.clear();
    }
}
