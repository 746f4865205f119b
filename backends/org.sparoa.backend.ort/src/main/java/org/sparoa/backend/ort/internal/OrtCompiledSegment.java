package org.sparoa.backend.ort.internal;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import org.sparoa.api.BackendException;
import org.sparoa.api.CompiledSegment;
import org.sparoa.api.InvalidInputException;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/** A segment compiled into an ONNX Runtime session. */
final class OrtCompiledSegment implements CompiledSegment {
    private final String backendId;
    private final Segment segment;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final Executor executor;

    OrtCompiledSegment(String backendId, Segment segment, OrtEnvironment env, OrtSession session, Executor executor) {
        this.backendId = backendId;
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
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            for (TensorInfo in : segment.inputs()) {
                Tensor t = inputs.get(in.name());
                if (t == null) {
                    throw new InvalidInputException(backendId + ": segment " + segment.index() + " is missing input '"
                            + in.name() + "'");
                }
                feed.put(in.name(), OrtTensors.toOrt(env, t));
            }
            try (OrtSession.Result result = session.run(feed)) {
                Map<String, Tensor> out = new LinkedHashMap<>();
                for (TensorInfo o : segment.outputs()) {
                    Optional<OnnxValue> v = result.get(o.name());
                    if (v.isEmpty() || !(v.get() instanceof OnnxTensor tensor)) {
                        throw new BackendException(backendId + ": segment " + segment.index()
                                + " produced no tensor '" + o.name() + "'");
                    }
                    out.put(o.name(), OrtTensors.fromOrt(tensor));
                }
                return out;
            }
        } catch (OrtException e) {
            throw new BackendException(backendId + ": segment " + segment.index() + " of " + segment.model().id()
                    + " failed in ONNX Runtime: " + e.getMessage(), e);
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new BackendException(backendId + ": closing segment " + segment.index() + ": " + e.getMessage(), e);
        }
    }
}
