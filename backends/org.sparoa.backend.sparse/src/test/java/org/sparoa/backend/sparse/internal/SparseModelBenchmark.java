package org.sparoa.backend.sparse.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ai.onnxruntime.OrtSession;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;
import org.sparoa.onnx.MagnitudePruner;
import org.sparoa.onnx.OnnxModels;

/**
 * Whole-model benchmark: real pretrained models magnitude-pruned (per layer, or global with {@code --scope global})
 * to each sparsity, run entirely on sparse-cpu against ONNX Runtime on the same pruned model, same thread count, same
 * JVM, same seeded inputs, alternating blocks of runs of each after warm-up. Outputs are compared once per point before timing. Writes
 * raw rows as CSV (with the machine description and load average) and prints the ratio table.
 *
 * <p>Run from the repository root (see {@code bench/results/README-sparse.md}):
 * {@code mvn -B -o -q -pl backends/org.sparoa.backend.sparse test-compile exec:exec -Dsparse.bench=models}.
 */
public final class SparseModelBenchmark {
    static final double[] SPARSITIES = {0, 0.5, 0.7, 0.8, 0.9};

    private SparseModelBenchmark() {
    }

    record Subject(String name, Path file, Map<String, long[]> shapes) {
    }

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(arg(args, "--threads", "2"));
        double budget = Double.parseDouble(arg(args, "--seconds", "3"));
        int maxIterations = Integer.parseInt(arg(args, "--max-iterations", "60"));
        MagnitudePruner.Scope scope = MagnitudePruner.Scope.parse(arg(args, "--scope", "layer"));
        Path out = Path.of(arg(args, "--out", "bench/results/sparse-models.csv"));
        String only = arg(args, "--models", "");
        Path shared = Path.of(System.getProperty("sparoa.shared", "../shared"));
        Path models = Path.of(System.getProperty("sparoa.models", "target/models"));
        List<Subject> subjects = new ArrayList<>(List.of(
                new Subject("blazeface-front-128", shared.resolve("models/blazeface_front_128x128.onnx"), Map.of()),
                new Subject("blazeface-back-256", shared.resolve("models/blazeface_back_256x256.onnx"), Map.of()),
                new Subject("ppocr-cls-48x192", models.resolve("ch_ppocr_mobile_v2.0_cls_infer.onnx"),
                        Map.of("x", new long[] {1, 3, 48, 192})),
                new Subject("ppocrv3-det-320", models.resolve("ch_PP-OCRv3_det_infer.onnx"),
                        Map.of("x", new long[] {1, 3, 320, 320})),
                new Subject("ppocrv4-det-320", models.resolve("ch_PP-OCRv4_det_infer.onnx"),
                        Map.of("x", new long[] {1, 3, 320, 320})),
                new Subject("mlsd-tiny-320", shared.resolve("models/mlsd_320x320_tiny.onnx"), Map.of())));
        if (!only.isEmpty()) {
            List<String> keep = List.of(only.split(","));
            subjects.removeIf(s -> keep.stream().noneMatch(k -> s.name().contains(k)));
        }
        String load = MachineDescription.loadAverage();
        List<String> rows = new ArrayList<>();
        rows.add("model,input,scope,target_sparsity,achieved_sparsity,pruned_tensors,sparse_median_ms,sparse_p90_ms,"
                + "ort_median_ms,ort_p90_ms,speedup_vs_ort,max_output_diff,iterations,sparse_time_by_op");
        Map<String, double[]> table = new LinkedHashMap<>();
        SparseCpuBackend backend = new SparseCpuBackend(threads, CsrMatrix.DEFAULT_DENSE_BELOW_SPARSITY);
        try (OrtReference ort = new OrtReference(threads)) {
            for (Subject s : subjects) {
                if (!Files.exists(s.file())) {
                    System.out.println("skipping " + s.name() + ": " + s.file() + " not found");
                    continue;
                }
                byte[] original = Files.readAllBytes(s.file());
                Model dense = OnnxModels.fromBytes(s.name(), original, s.file());
                List<String> missing = new ArrayList<>();
                for (Node n : dense.graph().nodes()) {
                    if (!backend.supports(n, dense.graph()) && !missing.contains(n.opType())) {
                        missing.add(n.opType());
                    }
                }
                if (!missing.isEmpty()) {
                    System.out.println("skipping " + s.name() + ": sparse-cpu lacks " + missing);
                    continue;
                }
                Map<String, Tensor> inputs = inputs(dense, s.shapes());
                String inputDesc = inputs.values().iterator().next().toString().replace(',', ' ');
                double[] ratios = new double[SPARSITIES.length];
                for (int i = 0; i < SPARSITIES.length; i++) {
                    MagnitudePruner.Result pruned = MagnitudePruner.prune(original, SPARSITIES[i], scope, s.name());
                    Model m = OnnxModels.fromBytes(s.name() + "-" + (int) (SPARSITIES[i] * 100), pruned.model(), null);
                    Point p = measure(backend, ort, m, pruned.model(), inputs, budget, maxIterations);
                    ratios[i] = p.ortMedian / p.sparseMedian;
                    rows.add(String.format(Locale.ROOT, "%s,%s,%s,%.2f,%.4f,%d,%.3f,%.3f,%.3f,%.3f,%.3f,%.2e,%d,\"%s\"",
                            s.name(), inputDesc, scope.name().toLowerCase(Locale.ROOT), SPARSITIES[i], pruned.sparsity(),
                            pruned.weights().size(), p.sparseMedian * 1e3, p.sparseP90 * 1e3, p.ortMedian * 1e3,
                            p.ortP90 * 1e3, ratios[i], p.maxDiff, p.iterations, p.byOp));
                    System.out.println(rows.get(rows.size() - 1));
                }
                table.put(s.name(), ratios);
            }
        } finally {
            backend.close();
        }
        List<String> file = new ArrayList<>(MachineDescription.commentLines(threads));
        file.set(file.size() - 1, "# method: same JVM, warm-up, alternating blocks (untimed runs for 40 ms, then 5 timed runs of one side,"
                + " then of the other), median and p90; seeded uniform [0,1) "
                + "inputs; the model's real weights magnitude-pruned (" + scope.name().toLowerCase(Locale.ROOT)
                + " scope) by org.sparoa.onnx.MagnitudePruner; ONNX Runtime runs the same pruned model (dense kernels)");
        file.add(1, "# load average before / after: " + load + " / " + MachineDescription.loadAverage());
        file.addAll(rows);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.write(out, file);
        printTable(table, threads);
        System.out.println("load average before / after: " + load + " / " + MachineDescription.loadAverage());
        System.out.println("raw rows: " + out.toAbsolutePath());
    }

    record Point(double sparseMedian, double sparseP90, double ortMedian, double ortP90, double maxDiff,
                 int iterations, String byOp) {
    }

    /** Whether a comparison (Equal, Less, ...) lies upstream of {@code tensor}: its value may jump on a rounding. */
    static boolean afterComparison(org.sparoa.api.Graph g, String tensor) {
        java.util.Deque<String> todo = new java.util.ArrayDeque<>(List.of(tensor));
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (!todo.isEmpty()) {
            String t = todo.pop();
            if (!seen.add(t)) {
                continue;
            }
            for (Node n : g.nodes()) {
                if (n.outputs().contains(t)) {
                    if (java.util.Set.of("Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual").contains(n.opType())) {
                        return true;
                    }
                    todo.addAll(n.inputs());
                }
            }
        }
        return false;
    }

    /** Where sparse-cpu spends a run, by operator type (share of the summed kernel times), largest first. */
    static String timeByOp(SparseCpuBackend backend, CompiledSparseSegment seg, Map<String, Tensor> inputs) {
        Map<String, Long> nanos = new java.util.concurrent.ConcurrentHashMap<>();
        for (int i = 0; i < 3; i++) {
            nanos.clear();
            backend.submit(parallel -> seg.run(inputs, parallel,
                    (node, in, out, ns) -> nanos.merge(node.opType(), ns, Long::sum))).join();
        }
        long total = nanos.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder sb = new StringBuilder();
        nanos.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(5).forEach(e ->
                sb.append(sb.length() == 0 ? "" : "; ").append(e.getKey()).append(' ')
                        .append(Math.round(100.0 * e.getValue() / total)).append('%'));
        return sb.toString();
    }

    static Point measure(SparseCpuBackend backend, OrtReference ort, Model m, byte[] bytes, Map<String, Tensor> inputs,
                         double budget, int maxIterations) throws Exception {
        CompiledSparseSegment seg = (CompiledSparseSegment) backend.compile(TestModels.wholeModel(m));
        try (OrtSession session = ort.open(null, bytes)) {
            Map<String, Tensor> ours = seg.execute(inputs).join();
            Map<String, Tensor> theirs = ort.run(session, inputs);
            double diff = 0;
            for (TensorInfo o : m.graph().outputs()) {
                float[] expected = theirs.get(o.name()).toFloatArray();
                float[] actual = ours.get(o.name()).toFloatArray();
                if (afterComparison(m.graph(), o.name())) {
                    // e.g. M-LSD keeps the peaks of a map where it equals its own max-pool: a difference in the last
                    // bit flips such a tie (on a heavily pruned model's flat maps, many); the tensors before the
                    // comparison are checked by the other outputs and by WholeModelTest
                    continue;
                }
                diff = Math.max(diff, WholeModelTest.rangeRelativeError(expected, actual, 1.0));
            }
            if (!(diff <= 1e-3)) {
                throw new IllegalStateException(m.id() + ": sparse-cpu and ONNX Runtime disagree by " + diff);
            }
            Runnable a = () -> seg.execute(inputs).join();
            Runnable b = () -> {
                try {
                    ort.run(session, inputs);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            double[] warm = SideBySideTimer.warmUp(a, b, Math.min(2.0, budget / 2));
            int iterations = (int) Math.max(5, Math.min(maxIterations, budget / (warm[0] + warm[1])));
            // blocks of five timed runs after untimed ones (two, and 40 ms): each side's steady latency
            int blocks = (iterations + 4) / 5;
            double[][] t = SideBySideTimer.alternateBlocks(a, b, blocks, 5, 2);
            iterations = blocks * 5;
            return new Point(SideBySideTimer.quantile(t[0], 0.5), SideBySideTimer.quantile(t[0], 0.9),
                    SideBySideTimer.quantile(t[1], 0.5), SideBySideTimer.quantile(t[1], 0.9), diff, iterations,
                    timeByOp(backend, seg, inputs));
        } finally {
            seg.close();
        }
    }

    private static Map<String, Tensor> inputs(Model m, Map<String, long[]> shapes) {
        Map<String, Tensor> in = WholeModelTest.randomInputs(m.graph(), 42, 320);
        shapes.forEach((name, shape) -> {
            float[] v = new float[(int) org.sparoa.api.Shapes.elementCount(shape)];
            java.util.Random r = new java.util.Random(42);
            for (int i = 0; i < v.length; i++) {
                v[i] = r.nextFloat();
            }
            in.put(name, Tensor.ofFloats(shape, v));
        });
        return in;
    }

    private static void printTable(Map<String, double[]> table, int threads) {
        StringBuilder sb = new StringBuilder("\nwhole model, " + threads
                + " threads: speedup = ONNX Runtime median / sparse-cpu median (>1: sparse-cpu faster)\n");
        sb.append(String.format(Locale.ROOT, "%-22s", "model"));
        for (double s : SPARSITIES) {
            sb.append(String.format(Locale.ROOT, " %6.0f%%", s * 100));
        }
        sb.append('\n');
        table.forEach((name, r) -> {
            sb.append(String.format(Locale.ROOT, "%-22s", name));
            for (double v : r) {
                sb.append(String.format(Locale.ROOT, " %6.2fx", v));
            }
            sb.append('\n');
        });
        System.out.println(sb);
    }

    private static String arg(String[] args, String name, String dflt) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return dflt;
    }
}
