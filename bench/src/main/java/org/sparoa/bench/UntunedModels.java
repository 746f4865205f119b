package org.sparoa.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;

import org.sparoa.analyzer.internal.CalibratingModelAnalyzer;
import org.sparoa.api.DataType;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.OperatorProfiler;
import org.sparoa.api.PlanDescription;
import org.sparoa.api.RandomInputs;
import org.sparoa.api.RunOptions;
import org.sparoa.api.SegmentPlan;
import org.sparoa.api.Shapes;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;
import org.sparoa.backend.ort.PlainOrtSession;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.backend.sparse.internal.SparseCpuBackend;
import org.sparoa.engine.LocalPlatform;
import org.sparoa.policy.greedy.internal.GreedyEarliestFinishPolicy;
import org.sparoa.policy.single.internal.SingleBackendPolicy;

/**
 * A model this project never tuned for, pruned to one sparsity, as a user would first try it: which of its operators
 * {@code sparse-cpu} lacks, each operator type's own time on each backend (the engine's profiler, measured twice, the
 * second kept), then plain ONNX Runtime, the engine on {@code ort-cpu} alone, on {@code sparse-cpu} alone where it runs
 * every operator, and {@code greedy}'s plan (with the engine's measured choice), timed side by side in alternating
 * visits, and the plan greedy ended on.
 *
 * <p>Inputs: a BERT-style model (int64 inputs {@code input_ids}, {@code attention_mask}, {@code token_type_ids}) gets
 * token ids uniform in [0, 1000), a mask of ones and type ids of zero, {@code --tokens N} long (default 128); other
 * models seeded random inputs, shaped by {@code --shape name=AxBxC}.
 *
 * <p>Run from {@code bench/}: {@code java -Xmx6g --add-modules jdk.incubator.vector -Dbench.ortSpinning=within-run
 * -cp "target/classes:target/lib/*" org.sparoa.bench.UntunedModels MODEL.onnx SPARSITY_PCT [ITERATIONS]
 * [--tokens N] [--shape name=AxB]}.
 */
public final class UntunedModels {
    private UntunedModels() {
    }

    public static void main(String[] args) throws Exception {
        Path original = Path.of(args[0]);
        int sparsity = Integer.parseInt(args[1]);
        int iterations = args.length > 2 && !args[2].startsWith("--") ? Integer.parseInt(args[2]) : 30;
        int tokens = 128;
        Map<String, long[]> shapes = new HashMap<>();
        for (int i = 2; i < args.length; i++) {
            if (args[i].equals("--tokens")) {
                tokens = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--shape")) {
                String[] kv = args[++i].split("=", 2);
                shapes.put(kv[0], Shapes.parse(kv[1]));
            }
        }
        Path file = BenchModels.atSparsity(original, sparsity);
        int threads = 2;
        SparseCpuBackend sparse = new SparseCpuBackend(threads, SparseCpuBackend.DEFAULT_DENSE_BELOW_SPARSITY);
        try (OrtCpuBackend ort = new OrtCpuBackend("ort-cpu", threads, 1, OrtSpinning.fromProperty());
             LocalPlatform platform = LocalPlatform.remeasuringAfter(1000, 600_000, ort, sparse)) {
            platform.setAnalyzer(CalibratingModelAnalyzer.standalone(platform.models(), platform.calibrator(),
                    AnalyzerConfigs.withCalibrationRuns(4)));
            platform.addPolicy(new SingleBackendPolicy("ort-cpu"));
            platform.addPolicy(new GreedyEarliestFinishPolicy(), GreedyEarliestFinishPolicy.SERVICE_PROPERTIES);
            Model model = platform.models().load(null, file);
            Map<String, Tensor> inputs = isBert(model) ? bertInputs(tokens) : RandomInputs.forModel(model, shapes, 42);
            TreeSet<String> lacking = new TreeSet<>();
            for (Node n : model.graph().nodes()) {
                if (!sparse.supports(n, model.graph())) {
                    lacking.add(n.opType());
                }
            }
            System.out.printf(Locale.ROOT, "%s at %d %% (%d operators); sparse-cpu lacks: %s%n",
                    original.getFileName(), sparsity, model.graph().nodes().size(),
                    lacking.isEmpty() ? "nothing" : lacking);
            printOwnTimes(platform.profiler(), model, inputs);

            Map<String, RunOptions> engine = new LinkedHashMap<>();
            engine.put("ort-cpu alone", RunOptions.withPolicy("single", Map.of("backend", "ort-cpu")));
            if (lacking.isEmpty()) {
                engine.put("sparse-cpu alone", RunOptions.withPolicy("single", Map.of("backend", "sparse-cpu")));
            }
            engine.put("greedy", RunOptions.withPolicy("greedy", Map.of()));
            try (PlainOrtSession plain = PlainOrtSession.open(Files.readAllBytes(file), threads)) {
                Map<String, Callable<?>> timed = new LinkedHashMap<>();
                timed.put("plain ONNX Runtime", () -> plain.run(inputs));
                for (var e : engine.entrySet()) {
                    platform.inference().infer(model.id(), inputs, e.getValue());
                    timed.put(e.getKey(), () -> platform.inference().infer(model.id(), inputs, e.getValue()));
                }
                // warm-up past the engine's second measurement of greedy's plan (after 1,000 requests)
                Map<String, RoundRobin.Timing> t = RoundRobin.run(timed, 1020, iterations, 1, 3);
                double plainMs = t.get("plain ONNX Runtime").median();
                t.forEach((name, timing) -> System.out.printf(Locale.ROOT, "  %-20s p50 %8.3f ms  (%.3fx plain ONNX "
                        + "Runtime's time)%n", name, timing.median(), timing.median() / plainMs));
                PlanDescription plan = platform.inference().infer(model.id(), inputs, engine.get("greedy")).plan();
                StringBuilder segments = new StringBuilder();
                for (SegmentPlan s : plan.segments()) {
                    segments.append(' ').append(s.backendId()).append('(').append(s.nodeNames().size()).append(')');
                }
                System.out.println("  greedy's plan:" + segments
                        + (plan.fallbackReason() == null ? "" : "; measured choice: " + plan.fallbackReason()));
            }
        }
        sparse.close();
    }

    private static boolean isBert(Model model) {
        return model.graph().inputs().stream().map(TensorInfo::name).toList()
                .containsAll(List.of("input_ids", "attention_mask", "token_type_ids"));
    }

    private static Map<String, Tensor> bertInputs(int tokens) {
        long[] shape = {1, tokens};
        SplittableRandom random = new SplittableRandom(1);
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("input_ids", longs(shape, i -> random.nextInt(1000)));
        in.put("attention_mask", longs(shape, i -> 1));
        in.put("token_type_ids", longs(shape, i -> 0));
        return in;
    }

    private static Tensor longs(long[] shape, java.util.function.IntToLongFunction value) {
        int n = Math.toIntExact(Shapes.elementCount(shape));
        ByteBuffer b = ByteBuffer.allocate(n * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putLong(value.applyAsLong(i));
        }
        b.flip();
        return Tensor.wrap(DataType.INT64, shape, b);
    }

    /** Per operator type: its operators' own times on ort-cpu, and over those sparse-cpu runs, on both. */
    private static void printOwnTimes(OperatorProfiler profiler, Model model, Map<String, Tensor> inputs) {
        profiler.profile(model.id(), inputs, true);
        List<OperatorProfiler.Measurement> measured = profiler.profile(model.id(), inputs, true);
        Map<String, Map<String, Double>> byNode = new LinkedHashMap<>();
        Map<String, String> types = new HashMap<>();
        for (OperatorProfiler.Measurement m : measured) {
            byNode.computeIfAbsent(m.node(), k -> new HashMap<>()).put(m.backendId(), m.millis());
            types.put(m.node(), m.opType());
        }
        Map<String, double[]> byType = new TreeMap<>();
        for (var e : byNode.entrySet()) {
            double[] sums = byType.computeIfAbsent(types.get(e.getKey()), k -> new double[4]);
            double ortMs = e.getValue().getOrDefault("ort-cpu", 0.0);
            sums[0]++;
            sums[1] += ortMs;
            Double sparseMs = e.getValue().get("sparse-cpu");
            if (sparseMs != null) {
                sums[2] += ortMs;
                sums[3] += sparseMs;
            }
        }
        System.out.println("  own time per operator type, ms (one-operator segments): type, count, ort-cpu | where "
                + "sparse-cpu runs them: ort-cpu, sparse-cpu");
        byType.forEach((type, s) -> System.out.printf(Locale.ROOT, "    %-20s %4.0f %8.3f | %8.3f %8.3f%n", type, s[0],
                s[1], s[2], s[3]));
    }
}
