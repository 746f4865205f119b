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

    /**
     * A comparison that sets apart <em>mask flips</em>: elements exactly 0 on one side and not within {@code
     * tolerance} on the other. A model that masks its own values by an exact test (M-LSD's {@code scores = s * (s ==
     * maxpool(s))}, a peak pick) turns a last-bit difference in {@code s} into a whole score kept or dropped.
     * {@code agreeingMaxRel} is the largest difference elsewhere, over max(1, max |ref|) of its output (M-LSD's
     * offsets reach 137); {@code flips} how many elements flipped.
     */
    record Comparison(double maxAbs, double agreeingMaxRel, long flips, long elements) {
        /**
         * Relative differences within {@code tolerance} outside the flips, and no more flips than one per thousand
         * elements or {@code reference}'s (ONNX Runtime against itself: a 90 % pruned M-LSD has plateaus of equal
         * scores, and its two graphs flip over 1 % of them).
         */
        boolean withinAllowingFlips(double tolerance, Comparison reference) {
            return agreeingMaxRel <= tolerance && flips <= Math.max(elements / 1000, reference.flips());
        }
    }

    static Comparison compare(Map<String, Tensor> reference, Map<String, Tensor> outputs, double tolerance) {
        double worst = 0;
        double agreeing = 0;
        long flips = 0;
        long elements = 0;
        for (Map.Entry<String, Tensor> e : reference.entrySet()) {
            Tensor got = outputs.get(e.getKey());
            float[] x = e.getValue().toFloatArray();
            float[] y = got == null ? null : got.toFloatArray();
            if (y == null || x.length != y.length) {
                return new Comparison(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, x.length, x.length);
            }
            double scale = 1;
            for (float v : x) {
                scale = Math.max(scale, Math.abs(v));
            }
            elements += x.length;
            for (int i = 0; i < x.length; i++) {
                double d = Math.abs((double) x[i] - y[i]);
                worst = Math.max(worst, d);
                if ((x[i] == 0) != (y[i] == 0) && d > tolerance * scale) {
                    flips++;
                } else {
                    agreeing = Math.max(agreeing, d / scale);
                }
            }
        }
        return new Comparison(worst, agreeing, flips, elements);
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
