package org.sparoa.backend.sparse.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.sparoa.api.Tensor;

/** A whole-model ONNX Runtime session as the reference for float models, with a fixed intra-op thread count. */
final class OrtReference implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final int threads;

    OrtReference(int threads) {
        this.threads = threads;
    }

    OrtSession open(Path model) throws OrtException {
        return open(model.toString(), null);
    }

    OrtSession open(String path, byte[] bytes) throws OrtException {
        OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
        opts.setIntraOpNumThreads(threads);
        opts.setInterOpNumThreads(1);
        return bytes == null ? env.createSession(path, opts) : env.createSession(bytes, opts);
    }

    Map<String, Tensor> run(Path model, Map<String, Tensor> inputs) throws OrtException {
        try (OrtSession s = open(model)) {
            return run(s, inputs);
        }
    }

    Map<String, Tensor> run(OrtSession s, Map<String, Tensor> inputs) throws OrtException {
        Map<String, OnnxTensor> feeds = new HashMap<>();
        try {
            for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
                feeds.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(e.getValue().toFloatArray()),
                        e.getValue().shape()));
            }
            Map<String, Tensor> out = new HashMap<>();
            try (OrtSession.Result r = s.run(feeds)) {
                for (Map.Entry<String, ai.onnxruntime.OnnxValue> e : r) {
                    OnnxTensor t = (OnnxTensor) e.getValue();
                    FloatBuffer fb = t.getFloatBuffer();
                    float[] v = new float[fb.remaining()];
                    fb.get(v);
                    out.put(e.getKey(), Tensor.ofFloats(t.getInfo().getShape(), v));
                }
            }
            return out;
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() {
        // the environment is a process-wide singleton
    }

    static ByteBuffer littleEndian(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
