package org.sparoa.backend.cuda.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.sparoa.api.Graph;
import org.sparoa.api.ModelFormatException;
import org.sparoa.api.Node;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;
import org.sparoa.onnx.OnnxModels;
import org.sparoa.onnx.TensorProtoIO;

/**
 * Every ONNX backend node test of {@code cnn-ops.tsv} whose operator cuda-gpu claims, compiled by
 * {@link ProgramBuilder} and run by the {@link KernelEmulator}, against the stored outputs (|error| <= 1e-4 *
 * max(1, |expected|)). A case the backend accepts ({@code supports} says yes for every node) must compile and pass.
 * The same cases run on the GPU in {@code bench/device-check.sh}. Report: {@code target/conformance-emulated.tsv}.
 */
class EmulatedConformanceTest {
    static final double TOLERANCE = 1e-4;

    @Test
    void everyAcceptedNodeTestPasses() throws Exception {
        Path shared = OrtReference.shared();
        assumeTrue(shared != null, "shared test data not found (system property sparoa.shared)");
        Path suite = shared.resolve("onnx-backend-tests");
        Map<String, int[]> counts = new TreeMap<>();
        List<String> lines = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (String row : Files.readAllLines(suite.resolve("cnn-ops.tsv"))) {
            String[] f = row.split("\t");
            if (f.length < 2 || !CudaOperatorSupport.OPERATORS.contains(f[0])) {
                continue;
            }
            Path dir = suite.resolve("node").resolve(f[1]);
            String verdict;
            String detail;
            try {
                Graph g = OnnxModels.load(f[1], dir.resolve("model.onnx")).graph();
                Optional<String> why = whyNot(g);
                if (why.isPresent()) {
                    verdict = "not-supported";
                    detail = why.get();
                } else {
                    double err = runCase(g, dir);
                    verdict = err <= TOLERANCE ? "pass" : "fail";
                    detail = "worst relative error " + err;
                }
            } catch (ModelFormatException e) {
                verdict = "not-supported";
                detail = "not importable: " + e.getMessage();
            } catch (RuntimeException e) {
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
        StringBuilder report = new StringBuilder("operator\tpass\tfail\tnot-supported\n");
        counts.forEach((op, c) -> report.append(op).append('\t').append(c[0]).append('\t').append(c[1]).append('\t')
                .append(c[2]).append('\n'));
        report.append("\ntest\tverdict\tdetail\n");
        lines.forEach(l -> report.append(l).append('\n'));
        Path out = Path.of("target", "conformance-emulated.tsv");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        assertTrue(counts.values().stream().mapToInt(c -> c[0]).sum() > 50, "too few cases ran:\n" + report);
        assertTrue(failures.isEmpty(), "accepted node tests failed:\n" + String.join("\n", failures));
    }

    private static Optional<String> whyNot(Graph g) {
        for (Node n : g.nodes()) {
            Optional<String> why = CudaOperatorSupport.whyNot(n, g);
            if (why.isPresent()) {
                return why;
            }
        }
        return Optional.empty();
    }

    private static double runCase(Graph g, Path dir) {
        Path data = dir.resolve("test_data_set_0");
        Map<String, Tensor> inputs = new HashMap<>();
        for (int i = 0; i < g.inputs().size(); i++) {
            TensorInfo in = g.inputs().get(i);
            inputs.put(in.name(), TensorProtoIO.read(data.resolve("input_" + i + ".pb")).tensor());
        }
        Program p = ProgramBuilder.compile(g, g.nodes(), g.inputs(), g.outputs(), inputs, 0.7);
        Map<String, Tensor> outputs = KernelEmulator.run(p, inputs);
        double worst = 0;
        for (int i = 0; i < g.outputs().size(); i++) {
            Tensor expected = TensorProtoIO.read(data.resolve("output_" + i + ".pb")).tensor();
            worst = Math.max(worst, worstRelative(expected, outputs.get(g.outputs().get(i).name())));
        }
        return worst;
    }

    static double worstRelative(Tensor expected, Tensor actual) {
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
