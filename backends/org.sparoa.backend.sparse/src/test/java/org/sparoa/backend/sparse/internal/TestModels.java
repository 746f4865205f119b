package org.sparoa.backend.sparse.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;
import org.sparoa.onnx.OnnxModels;
import org.sparoa.onnx.OnnxSegments;

/** Finds the shared third-party test data and turns a whole model into one segment. */
final class TestModels {
    private TestModels() {
    }

    /** The shared data folder beside the checkout (system property {@code sparoa.shared}), or null when absent. */
    static Path shared() {
        String p = System.getProperty("sparoa.shared");
        if (p == null) {
            return null;
        }
        Path dir = Paths.get(p);
        return Files.isDirectory(dir) ? dir : null;
    }

    /**
     * The shared test data: a test that needs it is skipped on a machine without it, and fails in CI
     * ({@code CI=true}), where a green skip would hide that nothing ran.
     */
    static Path requireShared() {
        Path shared = shared();
        if (shared == null) {
            String why = "shared test data not found (system property sparoa.shared = "
                    + System.getProperty("sparoa.shared") + ")";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                org.junit.jupiter.api.Assertions.fail(why + "; in CI it must be there");
            }
            org.junit.jupiter.api.Assumptions.abort(why);
        }
        return shared;
    }

    static Segment wholeModel(Model model) {
        Graph g = model.graph();
        return new Segment(0, model, g.nodes(), g.inputs(), g.outputs(),
                () -> OnnxSegments.cut(model, model.id(), g.nodes(), g.inputs(), g.outputs()));
    }

    static Model load(Path file) {
        return OnnxModels.load(file.getFileName().toString(), file);
    }

    /**
     * Worst |actual - expected| over all elements, divided by {@code max(1, |expected|)} per element, or +inf on a
     * shape or count mismatch.
     */
    static double worstRelativeError(Tensor expected, Tensor actual) {
        if (!java.util.Arrays.equals(expected.shape(), actual.shape())) {
            return Double.POSITIVE_INFINITY;
        }
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        double worst = 0;
        for (int i = 0; i < e.length; i++) {
            if (Float.isNaN(e[i]) && Float.isNaN(a[i])) {
                continue;
            }
            double d = Math.abs((double) e[i] - a[i]) / Math.max(1.0, Math.abs(e[i]));
            if (!(d <= worst)) {
                worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
            }
        }
        return worst;
    }

    static Map<String, Tensor> run(SparseCpuBackend backend, Segment segment, Map<String, Tensor> inputs) {
        return backend.compile(segment).execute(inputs).join();
    }
}
