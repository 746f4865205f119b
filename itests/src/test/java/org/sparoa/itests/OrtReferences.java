package org.sparoa.itests;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.sparoa.api.Tensor;

/**
 * Random FP32 inputs of one model input (values in [-1, 1), seeds 1..n) and plain ONNX Runtime's first output for
 * each: what a request's answer is checked against.
 */
final class OrtReferences {
    /** The PP-OCR text direction classifier that the distribution ships in {@code models/}, and its input shape. */
    static final String CLASSIFIER = "ch_ppocr_mobile_v2.0_cls_infer.onnx";
    static final long[] CLASSIFIER_SHAPE = {1, 3, 48, 192};
    private final List<Map<String, Tensor>> inputs;
    private final List<float[]> outputs;
    private final double tolerance;

    private OrtReferences(List<Map<String, Tensor>> inputs, List<float[]> outputs, double tolerance) {
        this.inputs = inputs;
        this.outputs = outputs;
        this.tolerance = tolerance;
    }

    /**
     * @param tolerance the largest difference allowed, relative to the reference value where it is above 1
     */
    static OrtReferences of(Path model, String input, long[] shape, int count, double tolerance) throws Exception {
        List<Map<String, Tensor>> inputs = new ArrayList<>();
        List<float[]> outputs = new ArrayList<>();
        long elements = 1;
        for (long d : shape) {
            elements *= d;
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(model.toString(), new OrtSession.SessionOptions())) {
            for (int seed = 1; seed <= count; seed++) {
                Random random = new Random(seed);
                float[] values = new float[Math.toIntExact(elements)];
                for (int i = 0; i < values.length; i++) {
                    values[i] = random.nextFloat() * 2 - 1;
                }
                try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(values), shape);
                     OrtSession.Result result = session.run(Map.of(input, in))) {
                    FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
                    float[] expected = new float[out.remaining()];
                    out.get(expected);
                    outputs.add(expected);
                }
                inputs.add(Map.of(input, Tensor.ofFloats(shape, values)));
            }
        }
        return new OrtReferences(List.copyOf(inputs), List.copyOf(outputs), tolerance);
    }

    /** The classifier's file in the running distribution. */
    static Path classifier() {
        return Paths.get(System.getProperty("karaf.home"), "models", CLASSIFIER);
    }

    /** References of the classifier for {@code count} inputs of {@link #CLASSIFIER_SHAPE}. */
    static OrtReferences classifier(String input, int count, double tolerance) throws Exception {
        return of(classifier(), input, CLASSIFIER_SHAPE, count, tolerance);
    }

    int size() {
        return inputs.size();
    }

    Map<String, Tensor> input(int k) {
        return inputs.get(k);
    }

    /** What is wrong with {@code actual} as the answer to input {@code k}; null when nothing is. */
    String difference(int k, float[] actual) {
        float[] expected = outputs.get(k);
        if (expected.length != actual.length) {
            return actual.length + " values instead of " + expected.length;
        }
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= tolerance * Math.max(1, Math.abs(expected[i])))) {
                return "element " + i + " is " + actual[i] + ", ONNX Runtime says " + expected[i];
            }
        }
        return null;
    }
}
