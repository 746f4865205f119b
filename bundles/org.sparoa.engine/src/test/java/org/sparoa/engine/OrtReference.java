package org.sparoa.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.PlainOrtSession;

/** Plain ONNX Runtime: the whole model in one session, the reference every plan must match. */
final class OrtReference {
    private OrtReference() {
    }

    static Map<String, Tensor> run(Path model, Map<String, Tensor> inputs) throws Exception {
        try (PlainOrtSession session = PlainOrtSession.open(Files.readAllBytes(model), 2)) {
            return session.run(inputs);
        }
    }

    static double maxAbs(Tensor a) {
        double m = 0;
        for (float v : a.toFloatArray()) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    static double maxAbsDiff(Tensor a, Tensor b) {
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        if (x.length != y.length) {
            return Double.POSITIVE_INFINITY;
        }
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs((double) x[i] - y[i]));
        }
        return m;
    }
}
