package org.sparoa.backend.cuda.internal;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;

/** ONNX Runtime (CPU) on the same model bytes and inputs: the reference of the host-logic tests. */
final class OrtReference {
    private OrtReference() {
    }

    static Map<String, Tensor> run(byte[] model, Map<String, Tensor> inputs) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            try (OrtSession s = env.createSession(model, o)) {
                Map<String, OnnxTensor> in = new HashMap<>();
                try {
                    for (var e : inputs.entrySet()) {
                        in.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(e.getValue().toFloatArray()),
                                e.getValue().shape()));
                    }
                    try (OrtSession.Result r = s.run(in)) {
                        Map<String, Tensor> out = new HashMap<>();
                        for (var e : r) {
                            OnnxTensor t = (OnnxTensor) e.getValue();
                            long[] shape = t.getInfo().getShape();
                            if (t.getInfo().type == ai.onnxruntime.OnnxJavaType.FLOAT) {
                                FloatBuffer fb = t.getFloatBuffer();
                                float[] v = new float[fb.remaining()];
                                fb.get(v);
                                out.put(e.getKey(), Tensor.ofFloats(shape, v));
                            } else if (t.getInfo().type == ai.onnxruntime.OnnxJavaType.BOOL) {
                                java.nio.ByteBuffer bb = t.getByteBuffer();
                                out.put(e.getKey(), Tensor.wrap(org.sparoa.api.DataType.BOOL, shape, bb));
                            }
                        }
                        return out;
                    }
                } finally {
                    in.values().forEach(OnnxTensor::close);
                }
            }
        }
    }

    /** Seeded uniform inputs in [-1, 1) (never all zeros), with unknown dimensions set from {@code dims}. */
    static Map<String, Tensor> randomInputs(java.util.List<TensorInfo> infos, long[] dims, long seed) {
        Random r = new Random(seed);
        Map<String, Tensor> m = new HashMap<>();
        for (TensorInfo i : infos) {
            long[] s = i.shape();
            if (!i.hasStaticShape()) {
                s = dims.clone();
            }
            float[] v = new float[(int) Broadcast.count(s)];
            for (int k = 0; k < v.length; k++) {
                v[k] = r.nextFloat() * 2 - 1;
            }
            m.put(i.name(), Tensor.ofFloats(s, v));
        }
        return m;
    }

    /** Worst |a - e| over all elements (+inf on a shape mismatch). */
    static double maxAbsDiff(Tensor expected, Tensor actual) {
        if (!java.util.Arrays.equals(expected.shape(), actual.shape())) {
            return Double.POSITIVE_INFINITY;
        }
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        double worst = 0;
        for (int i = 0; i < e.length; i++) {
            double d = Math.abs((double) e[i] - a[i]);
            if (!(d <= worst)) {
                worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
            }
        }
        return worst;
    }

    /** max |a - e| divided by max(1, range of e): float noise in large outputs is not a failure, a wrong value is. */
    static double rangeRelativeDiff(Tensor expected, Tensor actual) {
        float[] e = expected.toFloatArray();
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : e) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        return maxAbsDiff(expected, actual) / Math.max(1.0, (double) hi - lo);
    }

    /** The shared data folder ({@code sparoa.shared}); null when absent outside CI, a failure in CI. */
    static Path shared() {
        String p = System.getProperty("sparoa.shared");
        Path dir = p == null ? null : Paths.get(p);
        if (dir == null || !Files.isDirectory(dir)) {
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException("CI=true but the shared test data is missing: " + p);
            }
            return null;
        }
        return dir;
    }
}
