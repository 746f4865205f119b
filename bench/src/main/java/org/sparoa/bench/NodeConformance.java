package org.sparoa.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.sparoa.api.CompiledSegment;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;
import org.sparoa.onnx.OnnxModels;
import org.sparoa.onnx.OnnxSegments;
import org.sparoa.onnx.TensorProtoIO;

/**
 * The ONNX backend node tests ({@code cnn-ops.tsv} of the suite folder) of every operator a backend claims, run on
 * that backend as whole-model segments against the stored outputs: |error| <= tolerance * max(1, |expected|).
 * A case whose every node the backend accepts ({@code supports}) must pass; the others are counted as not supported.
 */
public final class NodeConformance {
    /** Per operator: cases passed, failed, not supported; and one line per case. */
    public record Report(Map<String, int[]> counts, List<String> lines, List<String> failures) {
        public int passed() {
            return counts.values().stream().mapToInt(c -> c[0]).sum();
        }

        public String table() {
            StringBuilder sb = new StringBuilder("operator\tpass\tfail\tnot-supported\n");
            counts.forEach((op, c) -> sb.append(op).append('\t').append(c[0]).append('\t').append(c[1]).append('\t')
                    .append(c[2]).append('\n'));
            sb.append("\ntest\tverdict\tdetail\n");
            lines.forEach(l -> sb.append(l).append('\n'));
            return sb.toString();
        }
    }

    private NodeConformance() {
    }

    public static Report run(DeviceBackend backend, Path suite, double tolerance) throws IOException {
        Map<String, int[]> counts = new TreeMap<>();
        List<String> lines = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (String row : Files.readAllLines(suite.resolve("cnn-ops.tsv"))) {
            String[] f = row.split("\t");
            if (f.length < 2 || !backend.supportedOperators().contains(f[0])) {
                continue;
            }
            Path dir = suite.resolve("node").resolve(f[1]);
            if (!Files.isDirectory(dir)) {
                continue; // not carried to this machine (device-check.sh carries the claimed operators' cases)
            }
            String verdict;
            String detail;
            try {
                Model model = OnnxModels.load(f[1], dir.resolve("model.onnx"));
                String why = whyNot(backend, model.graph());
                if (why != null) {
                    verdict = "not-supported";
                    detail = why;
                } else {
                    double err = runCase(backend, model, dir);
                    verdict = err <= tolerance ? "pass" : "fail";
                    detail = "worst relative error " + err;
                }
            } catch (org.sparoa.api.ModelFormatException e) {
                verdict = "not-supported";
                detail = "not importable: " + e.getMessage();
            } catch (Exception e) {
                verdict = "fail";
                detail = e.toString();
            }
            int[] c = counts.computeIfAbsent(f[0], k -> new int[3]);
            c[verdict.equals("pass") ? 0 : verdict.equals("fail") ? 1 : 2]++;
            lines.add(f[0] + "\t" + f[1] + "\t" + verdict + "\t" + detail.replace('\t', ' ').replace('\n', ' '));
            if (verdict.equals("fail")) {
                failures.add(f[1] + ": " + detail);
            }
        }
        return new Report(counts, lines, failures);
    }

    private static String whyNot(DeviceBackend backend, Graph g) {
        for (Node n : g.nodes()) {
            if (!backend.supports(n, g)) {
                return n.opType() + " '" + n.name() + "' refused by " + backend.id();
            }
        }
        return null;
    }

    static Segment wholeModel(Model model) {
        Graph g = model.graph();
        return new Segment(0, model, g.nodes(), g.inputs(), g.outputs(),
                () -> OnnxSegments.cut(model, model.id(), g.nodes(), g.inputs(), g.outputs()));
    }

    private static double runCase(DeviceBackend backend, Model model, Path dir) throws Exception {
        Graph g = model.graph();
        Path data = dir.resolve("test_data_set_0");
        Map<String, Tensor> inputs = new HashMap<>();
        for (int i = 0; i < g.inputs().size(); i++) {
            inputs.put(g.inputs().get(i).name(), TensorProtoIO.read(data.resolve("input_" + i + ".pb")).tensor());
        }
        Map<String, Tensor> out;
        try (CompiledSegment s = backend.compile(wholeModel(model))) {
            out = s.execute(inputs).get();
        }
        double worst = 0;
        for (int i = 0; i < g.outputs().size(); i++) {
            Tensor expected = TensorProtoIO.read(data.resolve("output_" + i + ".pb")).tensor();
            Tensor actual = out.get(g.outputs().get(i).name());
            worst = Math.max(worst, relativeError(expected, actual));
        }
        return worst;
    }

    static double relativeError(Tensor expected, Tensor actual) {
        if (actual == null || !java.util.Arrays.equals(expected.shape(), actual.shape())) {
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
}
