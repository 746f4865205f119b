package org.sparoa.backend.ort;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import org.sparoa.api.BackendException;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.backend.ort.internal.OrtTensors;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/** A whole model in one plain ONNX Runtime session, with the session options of the {@code ort-cpu} backend. */
public final class PlainOrtSession implements AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;

    private PlainOrtSession(OrtEnvironment env, OrtSession session) {
        this.env = env;
        this.session = session;
    }

    public static PlainOrtSession open(byte[] onnxModel, int intraOpThreads) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = OrtCpuBackend.sessionOptions(intraOpThreads)) {
            return new PlainOrtSession(env, env.createSession(onnxModel, options));
        } catch (OrtException e) {
            throw new BackendException("plain ONNX Runtime cannot load the model: " + e.getMessage(), e);
        }
    }

    /** Runs the model; outputs in graph output order. */
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
                feed.put(e.getKey(), OrtTensors.toOrt(env, e.getValue()));
            }
            try (OrtSession.Result r = session.run(feed)) {
                Map<String, Tensor> out = new LinkedHashMap<>();
                for (Map.Entry<String, OnnxValue> e : r) {
                    out.put(e.getKey(), OrtTensors.fromOrt((OnnxTensor) e.getValue()));
                }
                return out;
            }
        } catch (OrtException e) {
            throw new BackendException("plain ONNX Runtime failed: " + e.getMessage(), e);
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new BackendException("closing a plain ONNX Runtime session: " + e.getMessage(), e);
        }
    }
}
