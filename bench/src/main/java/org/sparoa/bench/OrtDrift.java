package org.sparoa.bench;

import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.sparoa.api.Tensor;

/**
 * How far two sets of outputs are apart, and how far ONNX Runtime drifts from itself: the same model with its graph
 * optimisations off evaluates the same fp32 arithmetic in another order, which bounds what "equal" can mean.
 */
final class OrtDrift {
    private OrtDrift() {
    }

    /** Largest |ref - out| over all outputs; relative: over max(1, max |ref|) per output. */
    static double maxAbsDiff(Map<String, Tensor> reference, Map<String, Tensor> outputs, boolean relative) {
        double worst = 0;
        for (Map.Entry<String, Tensor> e : reference.entrySet()) {
            Tensor got = outputs.get(e.getKey());
            if (got == null) {
                return Double.POSITIVE_INFINITY;
            }
            float[] x = e.getValue().toFloatArray();
            float[] y = got.toFloatArray();
            if (x.length != y.length) {
                return Double.POSITIVE_INFINITY;
            }
            double d = 0;
            double scale = 1;
            for (int i = 0; i < x.length; i++) {
                d = Math.max(d, Math.abs((double) x[i] - y[i]));
                scale = Math.max(scale, Math.abs(x[i]));
            }
            worst = Math.max(worst, relative ? d / scale : d);
        }
        return worst;
    }

    /** The model on ONNX Runtime with graph optimisations off (no fusions, no layout changes). */
    static Map<String, Tensor> withoutOptimisations(byte[] model, Map<String, Tensor> inputs, int threads)
            throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            o.setIntraOpNumThreads(threads);
            try (OrtSession s = env.createSession(model, o)) {
                Map<String, OnnxTensor> in = new LinkedHashMap<>();
                try {
                    for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
                        in.put(e.getKey(), OnnxTensor.createTensor(env,
                                FloatBuffer.wrap(e.getValue().toFloatArray()), e.getValue().shape()));
                    }
                    try (OrtSession.Result r = s.run(in)) {
                        Map<String, Tensor> out = new LinkedHashMap<>();
                        for (Map.Entry<String, OnnxValue> e : r) {
                            OnnxTensor t = (OnnxTensor) e.getValue();
                            if (t.getInfo().type == OnnxJavaType.FLOAT) {
                                FloatBuffer fb = t.getFloatBuffer();
                                float[] v = new float[fb.remaining()];
                                fb.get(v);
                                out.put(e.getKey(), Tensor.ofFloats(t.getInfo().getShape(), v));
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
}
