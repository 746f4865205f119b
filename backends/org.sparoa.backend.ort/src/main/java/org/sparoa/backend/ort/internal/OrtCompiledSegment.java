package org.sparoa.backend.ort.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import org.sparoa.affinity.CpuSet;
import org.sparoa.affinity.ThreadAffinity;
import org.sparoa.api.DirectBufferPool;
import org.sparoa.api.BackendException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.api.CompiledSegment;
import org.sparoa.api.DataType;
import org.sparoa.api.InvalidInputException;
import org.sparoa.api.LoadTracker;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * A segment compiled into an ONNX Runtime session. With {@link OrtCpuBackend.HandOver#DIRECT} its inputs reach ONNX
 * Runtime without a copy when they lie in direct buffers (else with one copy into a reused direct buffer), and from
 * the second run of an input shape on ONNX Runtime writes the outputs that other segments read into reused direct
 * buffers that the returned tensors wrap, so a tensor crosses to and from the other backends without a copy on this
 * side.
 */
final class OrtCompiledSegment implements CompiledSegment {
    private static final Logger LOG = LoggerFactory.getLogger(OrtCompiledSegment.class);
    private final String backendId;
    private final Segment segment;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final Executor executor;
    /** The backend's CPUs, or null: not pinned. */
    private final CpuSet cpus;
    private final OrtCpuBackend.HandOver handOver;
    /** Set after the first run of each input shape when outputs go straight into buffers of ours. */
    private volatile OutputLayout layout;
    /** ONNX Runtime refused buffers of ours once: the output shapes depend on more than the input shapes. */
    private volatile boolean dynamicOutputs;

    /**
     * Outputs that only other segments read: ONNX Runtime writes them into buffers of the pool, which come back
     * through {@link #recycle}. The model's outputs go to the caller and are copied to the Java heap as before (a
     * buffer that never comes back would cost a fresh direct allocation per run).
     */
    private final List<TensorInfo> boundaryOutputs;
    /** The model's outputs among the segment's: ONNX Runtime allocates them, and they are copied out. */
    private final java.util.Set<String> graphOutputs;
    /** Direct buffers of the backend: staged inputs and boundary outputs, reused. */
    private final DirectBufferPool buffers;
    /** Times every run for the backend's recent slowdown ({@link org.sparoa.api.DeviceState#recentSlowdown()}). */
    private final LoadTracker.Probe probe;
    /** The session for runs back to back ({@link OrtCpuBackend.Spinning#ADAPTIVE}, whole model); else null. */
    private final SpinningTwin twin;
    /** The backend's record of its last run, which this segment's runs update ({@code ADAPTIVE} only; else null). */
    private final SpinningTwin.RunSequence runs;

    OrtCompiledSegment(String backendId, Segment segment, OrtEnvironment env, OrtSession session, Executor executor,
                       OrtCpuBackend.HandOver handOver, DirectBufferPool buffers, LoadTracker.Probe probe,
                       SpinningTwin twin, SpinningTwin.RunSequence runs, CpuSet cpus) {
        this.backendId = backendId;
        this.cpus = cpus;
        this.twin = twin;
        this.runs = runs;
        this.probe = probe;
        this.buffers = buffers;
        this.boundaryOutputs = segment.outputs().stream().filter(o -> !segment.graph().isGraphOutput(o.name())).toList();
        this.graphOutputs = new java.util.LinkedHashSet<>();
        segment.outputs().stream().filter(o -> segment.graph().isGraphOutput(o.name()))
                .forEach(o -> graphOutputs.add(o.name()));
        this.handOver = handOver;
        this.segment = segment;
        this.env = env;
        this.session = session;
        this.executor = executor;
    }

    @Override
    public Segment segment() {
        return segment;
    }

    @Override
    public String backendId() {
        return backendId;
    }

    @Override
    public CompletableFuture<Map<String, Tensor>> execute(Map<String, Tensor> inputs) {
        try {
            return CompletableFuture.supplyAsync(() -> run(inputs), executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new BackendException(backendId + " is shut down"));
        }
    }

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        // a synchronous caller's thread is ONNX Runtime's calling thread, which does a share of the work
        return cpus == null ? runHere(inputs) : ThreadAffinity.callPinned(cpus, () -> runHere(inputs));
    }

    private Map<String, Tensor> runHere(Map<String, Tensor> inputs) {
        long start = probe.begin();
        try {
            return runSession(inputs, twin != null ? twin.sessionFor(session) : session);
        } finally {
            if (twin != null) {
                twin.ended();
            } else if (runs != null) {
                runs.endedElsewhere();
            }
            probe.end(start);
        }
    }

    private Map<String, Tensor> runSession(Map<String, Tensor> inputs, OrtSession session) {
        boolean direct = handOver == OrtCpuBackend.HandOver.DIRECT;
        Map<String, OnnxTensor> feed = new HashMap<>();
        List<ByteBuffer> staged = new ArrayList<>(0);
        try {
            List<long[]> inputShapes = new ArrayList<>(segment.inputs().size());
            for (TensorInfo in : segment.inputs()) {
                Tensor t = inputs.get(in.name());
                if (t == null) {
                    throw new InvalidInputException(backendId + ": segment " + segment.index() + " is missing input '"
                            + in.name() + "'");
                }
                inputShapes.add(t.shape());
                feed.put(in.name(), direct ? input(t, staged) : OrtTensors.toOrtCopying(env, t));
            }
            OutputLayout known = direct ? layout : null;
            if (known != null && known.fits(inputShapes)) {
                Map<String, Tensor> out = runIntoOwnBuffers(session, feed, known);
                if (out != null) {
                    return out;
                }
            }
            try (OrtSession.Result result = session.run(feed)) {
                Map<String, Tensor> out = new LinkedHashMap<>();
                for (TensorInfo o : segment.outputs()) {
                    out.put(o.name(), OrtTensors.fromOrt(outputTensor(result, o.name())));
                }
                if (direct && !dynamicOutputs && !boundaryOutputs.isEmpty()) {
                    layout = OutputLayout.of(inputShapes, out, boundaryOutputs);
                }
                return out;
            }
        } catch (OrtException e) {
            throw new BackendException(backendId + ": segment " + segment.index() + " of " + segment.model().id()
                    + " failed in ONNX Runtime: " + e.getMessage(), e);
        } finally {
            feed.values().forEach(OnnxTensor::close);
            staged.forEach(buffers::give);
        }
    }

    /**
     * ONNX Runtime's tensor over an input: over its own bytes when they are direct, else over a copy in a buffer of
     * the pool, which goes back to it after the run ({@code staged}): ONNX Runtime keeps no input after a run.
     */
    private OnnxTensor input(Tensor t, List<ByteBuffer> staged) throws OrtException {
        if (t.bytes().isDirect()) {
            return OrtTensors.toOrt(env, t);
        }
        ByteBuffer b = buffers.take(Math.toIntExact(t.byteSize()));
        staged.add(b);
        b.put(t.bytes()).flip();
        return OrtTensors.over(env, b, t.type(), t.shape());
    }

    @Override
    public void recycle(java.util.Collection<Tensor> used) {
        buffers.recycle(used);
    }

    /**
     * Runs with every output written by ONNX Runtime straight into a direct buffer of ours, which the returned tensor
     * then wraps: no copy out of ONNX Runtime. Null when ONNX Runtime refused the buffers (an output whose shape
     * depends on the input's values, not only its shape): the segment then stops trying and copies its outputs.
     */
    private Map<String, Tensor> runIntoOwnBuffers(OrtSession session, Map<String, OnnxTensor> feed,
                                                  OutputLayout known) {
        Map<String, OnnxTensor> pinned = new HashMap<>();
        Map<String, ByteBuffer> own = new LinkedHashMap<>();
        try {
            for (int i = 0; i < known.names.size(); i++) {
                ByteBuffer b = buffers.take(OrtTensors.byteSize(known.types.get(i), known.shapes.get(i)));
                own.put(known.names.get(i), b);
                pinned.put(known.names.get(i), OrtTensors.over(env, b, known.types.get(i), known.shapes.get(i)));
            }
            try (OrtSession.Result result = session.run(feed, graphOutputs, pinned)) {
                Map<String, Tensor> out = new LinkedHashMap<>();
                for (TensorInfo o : segment.outputs()) {
                    int i = known.names.indexOf(o.name());
                    out.put(o.name(), i < 0 ? OrtTensors.fromOrt(outputTensor(result, o.name()))
                            : buffers.handOut(known.types.get(i), known.shapes.get(i), own.remove(o.name())));
                }
                return out;
            }
        } catch (OrtException e) {
            LOG.debug("{}: segment {} of {}: outputs into own buffers refused ({}), copying them from now on",
                    backendId, segment.index(), segment.model().id(), e.getMessage());
            dynamicOutputs = true;
            layout = null;
            return null;
        } finally {
            pinned.values().forEach(OnnxTensor::close);
            own.values().forEach(buffers::give); // those not handed out
        }
    }

    private OnnxTensor outputTensor(OrtSession.Result result, String name) {
        Optional<OnnxValue> v = result.get(name);
        if (v.isEmpty() || !(v.get() instanceof OnnxTensor tensor)) {
            throw new BackendException(backendId + ": segment " + segment.index() + " produced no tensor '" + name + "'");
        }
        return tensor;
    }

    /** The outputs' types and shapes seen for inputs of given shapes. */
    private record OutputLayout(List<long[]> inputShapes, List<String> names, List<DataType> types,
                                List<long[]> shapes) {
        static OutputLayout of(List<long[]> inputShapes, Map<String, Tensor> out, List<TensorInfo> outputs) {
            List<String> names = new ArrayList<>();
            List<DataType> types = new ArrayList<>();
            List<long[]> shapes = new ArrayList<>();
            for (TensorInfo o : outputs) {
                Tensor t = out.get(o.name());
                if (!OrtTensors.pinnable(t.type()) || t.byteSize() == 0) {
                    return null;
                }
                names.add(o.name());
                types.add(t.type());
                shapes.add(t.shape());
            }
            return new OutputLayout(List.copyOf(inputShapes), List.copyOf(names), List.copyOf(types),
                    List.copyOf(shapes));
        }

        boolean fits(List<long[]> shapes) {
            if (shapes.size() != inputShapes.size()) {
                return false;
            }
            for (int i = 0; i < shapes.size(); i++) {
                if (!Arrays.equals(shapes.get(i), inputShapes.get(i))) {
                    return false;
                }
            }
            return true;
        }
    }

    /** The twin of {@link OrtCpuBackend.Spinning#ADAPTIVE}, null for other settings and segments (tests). */
    SpinningTwin twin() {
        return twin;
    }

    @Override
    public void close() {
        if (twin != null) {
            twin.close();
        }
        try {
            session.close();
        } catch (OrtException e) {
            throw new BackendException(backendId + ": closing segment " + segment.index() + ": " + e.getMessage(), e);
        }
    }
}
