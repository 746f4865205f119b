package org.sparoa.policy.threshold.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.PlainOrtSession;

/** The real models (PP-OCR unpacked by the build, the shared data beside the checkout) and the ORT reference. */
final class TestModels {
    private TestModels() {
    }

    static Path ppocr(String file) {
        return existing(Path.of(System.getProperty("sparoa.models", "target/models"), file));
    }

    static Path shared(String relative) {
        return existing(Path.of(System.getProperty("sparoa.shared", "../../../shared"), relative));
    }

    private static Path existing(Path p) {
        assertTrue(Files.exists(p), "test data missing: " + p.toAbsolutePath()
                + " (the PP-OCR models are unpacked by the build; the shared data must sit beside the checkout)");
        return p;
    }

    /** The whole model in one plain ONNX Runtime session: the reference every plan must match. */
    static Map<String, Tensor> ortReference(Path model, Map<String, Tensor> inputs) throws Exception {
        try (PlainOrtSession session = PlainOrtSession.open(Files.readAllBytes(model), 2)) {
            return session.run(inputs);
        }
    }

    /**
     * How far a plan's outputs are from the reference, over all outputs: the largest |expected - actual| over
     * max(max |expected|, 1), and the root mean square of the difference over max(RMS of the expected values, 1)
     * (the same floor of 1, so that outputs near zero everywhere do not turn float noise into a large ratio).
     */
    record Error(double maxRelative, double rmsRelative) {
    }

    static Error error(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertTrue(expected.keySet().equals(actual.keySet()), "outputs " + actual.keySet() + ", expected " + expected.keySet());
        double maxRel = 0;
        double rms = 0;
        for (String name : expected.keySet()) {
            float[] x = expected.get(name).toFloatArray();
            float[] y = actual.get(name).toFloatArray();
            if (x.length != y.length) {
                return new Error(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY);
            }
            double worst = 0;
            double scale = 1;
            double diff2 = 0;
            double ref2 = 0;
            for (int i = 0; i < x.length; i++) {
                double d = Math.abs((double) x[i] - y[i]);
                worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(worst, d);
                scale = Math.max(scale, Math.abs(x[i]));
                diff2 += d * d;
                ref2 += (double) x[i] * x[i];
            }
            double rel = Math.sqrt(diff2 / x.length) / Math.max(Math.sqrt(ref2 / x.length), 1);
            System.out.printf("%s: max |ref| %.4g, max abs diff %.3g, max relative %.3g, RMS relative %.3g%n", name,
                    scale, worst, worst / scale, rel);
            maxRel = Math.max(maxRel, worst / scale);
            rms = Math.max(rms, Double.isNaN(rel) ? Double.POSITIVE_INFINITY : rel);
        }
        return new Error(maxRel, rms);
    }

    /**
     * The outputs equal plain ONNX Runtime's within 1e-5 relative: every element within 1e-5 of max(|ref|, 1)
     * where the plan runs on ONNX Runtime only; where sparse-cpu runs part of it, its Java kernels sum in another
     * order, so the RMS-relative error must be within 1e-5 and each element within 1e-4 of max(|ref|, 1), the bound
     * the sparse backend's own whole-model tests hold it to.
     */
    static void assertMatchesOnnxRuntime(Map<String, Tensor> expected, Map<String, Tensor> actual, boolean sparseUsed) {
        Error e = error(expected, actual);
        double maxBound = sparseUsed ? 1e-4 : 1e-5;
        assertTrue(e.rmsRelative() <= 1e-5 && e.maxRelative() <= maxBound, "differs from ONNX Runtime: " + e
                + " (bounds: RMS relative 1e-5, max relative " + maxBound + ")");
    }
}
