package org.sparoa.backend.sparse.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.ModelFormatException;
import org.sparoa.api.Node;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;
import org.sparoa.onnx.TensorProtoIO;

/**
 * Runs every ONNX backend node test of {@code cnn-ops.tsv} whose operator this backend claims, against the stored
 * expected outputs (|error| <= 1e-4 * max(1, |expected|)). Writes a per-operator pass / fail / not-supported
 * report to {@code target/conformance-report.tsv}. Fails when a test the backend says it supports fails.
 */
class ConformanceTest {
    static final double TOLERANCE = 1e-4;

    private static SparseCpuBackend backend;

    @BeforeAll
    static void start() {
        backend = new SparseCpuBackend(2, CsrMatrix.DEFAULT_DENSE_BELOW_SPARSITY);
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    @Test
    void everyClaimedNodeTestPasses() throws IOException {
        Path shared = TestModels.requireShared();
        Path suite = shared.resolve("onnx-backend-tests");
        Map<String, int[]> counts = new TreeMap<>(); // op -> pass, fail, not supported
        List<String> lines = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (String row : Files.readAllLines(suite.resolve("cnn-ops.tsv"))) {
            String[] f = row.split("\t");
            if (f.length < 2 || !OperatorSupport.OPERATORS.contains(f[0])) {
                continue;
            }
            String op = f[0];
            Path dir = suite.resolve("node").resolve(f[1]);
            String verdict;
            String detail;
            try {
                Model model = TestModels.load(dir.resolve("model.onnx"));
                Optional<String> why = whyNot(model.graph());
                if (why.isPresent()) {
                    verdict = "not-supported";
                    detail = why.get();
                } else {
                    double err = runCase(model, dir);
                    verdict = err <= TOLERANCE ? "pass" : "fail";
                    detail = "worst relative error " + err;
                }
            } catch (ModelFormatException e) {
                // element types the platform's importer does not know (float8, int4, ...): no backend is offered it
                verdict = "not-supported";
                detail = "not importable: " + e.getMessage();
            } catch (RuntimeException e) {
                verdict = "fail";
                detail = e.toString();
            }
            int[] c = counts.computeIfAbsent(op, k -> new int[3]);
            c[verdict.equals("pass") ? 0 : verdict.equals("fail") ? 1 : 2]++;
            lines.add(op + "\t" + f[1] + "\t" + verdict + "\t" + detail.replace('\t', ' ').replace('\n', ' '));
            if (verdict.equals("fail")) {
                failures.add(f[1] + ": " + detail);
            }
        }
        StringBuilder report = new StringBuilder("operator\tpass\tfail\tnot-supported\n");
        counts.forEach((op, c) -> report.append(op).append('\t').append(c[0]).append('\t').append(c[1]).append('\t')
                .append(c[2]).append('\n'));
        report.append("\ntest\tverdict\tdetail\n");
        lines.forEach(l -> report.append(l).append('\n'));
        Path out = Path.of("target", "conformance-report.tsv");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        System.out.println(report);
        assertTrue(failures.isEmpty(), "claimed node tests failed:\n" + String.join("\n", failures));
        // every case turning "not supported" must not pass: each claimed operator runs and passes its cases
        Map<String, Integer> expected = expectedPasses();
        List<String> short_ = new ArrayList<>();
        for (String op : OperatorSupport.OPERATORS) {
            int[] c = counts.get(op);
            Integer want = expected.get(op);
            if (c == null) {
                assertTrue(want == null, op + " is expected to pass " + want + " node cases but has none in cnn-ops.tsv");
                continue;
            }
            if (want == null) {
                short_.add(op + ": " + c[0] + " passed, no expectation in conformance-expected.tsv");
            } else if (c[0] < want) {
                short_.add(op + ": " + c[0] + " of its node cases passed, expected at least " + want
                        + " (the others were " + c[2] + " not supported)");
            }
        }
        assertTrue(short_.isEmpty(), "claimed operators whose node cases did not run and pass:\n"
                + String.join("\n", short_));
    }

    /** Node cases that must pass, per claimed operator ({@code src/test/resources/conformance-expected.tsv}). */
    private static Map<String, Integer> expectedPasses() throws IOException {
        Map<String, Integer> m = new TreeMap<>();
        try (var in = ConformanceTest.class.getResourceAsStream("/conformance-expected.tsv")) {
            assertTrue(in != null, "conformance-expected.tsv is missing");
            for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                String[] f = line.split("\t");
                if (f.length >= 2 && !line.startsWith("#")) {
                    m.put(f[0], Integer.parseInt(f[1].trim()));
                }
            }
        }
        return m;
    }

    private static Optional<String> whyNot(Graph g) {
        for (Node n : g.nodes()) {
            Optional<String> why = OperatorSupport.whyNot(n, g);
            if (why.isPresent()) {
                return why;
            }
        }
        return Optional.empty();
    }

    private static double runCase(Model model, Path dir) {
        Graph g = model.graph();
        Segment segment = TestModels.wholeModel(model);
        Path data = dir.resolve("test_data_set_0");
        Map<String, Tensor> inputs = new HashMap<>();
        for (int i = 0; i < g.inputs().size(); i++) {
            TensorInfo in = g.inputs().get(i);
            inputs.put(in.name(), TensorProtoIO.read(data.resolve("input_" + i + ".pb")).tensor());
        }
        Map<String, Tensor> outputs = TestModels.run(backend, segment, inputs);
        double worst = 0;
        for (int i = 0; i < g.outputs().size(); i++) {
            Tensor expected = TensorProtoIO.read(data.resolve("output_" + i + ".pb")).tensor();
            worst = Math.max(worst, TestModels.worstRelativeError(expected, outputs.get(g.outputs().get(i).name())));
        }
        return worst;
    }
}
