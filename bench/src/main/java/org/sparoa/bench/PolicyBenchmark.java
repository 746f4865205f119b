package org.sparoa.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

import org.sparoa.analyzer.internal.CalibratingModelAnalyzer;
import org.sparoa.bench.BenchModels.Case;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.Model;
import org.sparoa.api.Placement;
import org.sparoa.api.PlanDescription;
import org.sparoa.api.RunOptions;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SchedulingPolicy;
import org.sparoa.api.SegmentPlan;
import org.sparoa.api.Shapes;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.PlainOrtSession;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.backend.sparse.internal.SparseCpuBackend;
import org.sparoa.engine.LocalPlatform;
import org.sparoa.api.RandomInputs;
import org.sparoa.onnx.MagnitudePruner;
import org.sparoa.policy.greedy.internal.GreedyEarliestFinishPolicy;
import org.sparoa.policy.single.internal.SingleBackendPolicy;
import org.sparoa.policy.threshold.internal.QuadrantThresholdPolicy;

/**
 * The scheduling policies side by side on real models pruned to several sparsities: plain ONNX Runtime, {@code single}
 * on ort-cpu, {@code single} on sparse-cpu, {@code greedy} and {@code threshold}, all in one JVM with the same thread
 * count, timed interleaved in a seeded random order per iteration ({@link RoundRobin}). Per model and sparsity it also reports what scheduling costs: the
 * operator profiling the cost-aware policies need (once per model), each policy's first decision (threshold's
 * includes the analyzer's calibration runs), the first request (decision + segment compilation + one run), and a
 * cached plan lookup. Prints a table and writes bench/results/policies.csv with the machine description and load.
 *
 * <p>Arguments: {@code [iterations] [threads] [sparsities]}, default {@code 20 2 0,50,70,80,90}. Pruning: the
 * models are pruned here with {@link MagnitudePruner} (unstructured magnitude, per layer, or over the whole model
 * with {@code -Dbench.pruneScope=global}); with
 * {@code -Dbench.models=cls,blazeface} runs only the models whose file names contain one of the words;
 * {@code -Dbench.ortSpinning=MODE} sets the ort-cpu backend's {@code spinning} (auto, on, within-run, off);
 * {@code -Dbench.out=FILE} writes the CSV there (relative to {@code bench/}) instead of {@code results/policies.csv}. With
 * {@code -Dbench.pruned=DIR} the files {@code DIR/<model file stem>_p<NN>.onnx} are used instead, made by any tool.
 */
public final class PolicyBenchmark {
    private record Contender(String name, RunOptions options) {
    }

    private static final int CACHED_LOOKUPS = 1000;
    /** Timed runs per visit of a contender (after one untimed run): samples of its steady latency. */
    private static final int TIMED_PER_VISIT = 3;

    /** A policy that records how long its decisions take. */
    private record Timed(SchedulingPolicy inner, Map<String, Double> lastMillis) implements SchedulingPolicy {
        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public Placement place(SchedulingContext context) throws Exception {
            long t0 = System.nanoTime();
            try {
                return inner.place(context);
            } finally {
                lastMillis.put(name(), (System.nanoTime() - t0) / 1e6);
            }
        }

        @Override
        public List<Placement> candidates(SchedulingContext context) throws Exception {
            long t0 = System.nanoTime();
            try {
                return inner.candidates(context);
            } finally {
                lastMillis.put(name(), (System.nanoTime() - t0) / 1e6);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        List<Integer> sparsities = args.length > 2
                ? java.util.Arrays.stream(args[2].split(",")).map(String::trim).map(Integer::parseInt).toList()
                : List.of(0, 50, 70, 80, 90);
        String prunedDir = System.getProperty("bench.pruned");
        List<Case> cases = BenchModels.all();
        Path work = Path.of("target", "pruned");
        Files.createDirectories(work);
        String loadBefore = LoadAverage.line();
        Map<String, Double> decisions = new ConcurrentHashMap<>();
        List<Map<String, Object>> rows = new ArrayList<>();

        System.out.printf(Locale.ROOT, "%-15s %4s %9s | %-19s %-19s %-19s %-19s%n", "model", "sp%", "ORT p50",
                "single:ort-cpu", "single:sparse-cpu", "greedy", "threshold");
        SparseCpuBackend sparse = new SparseCpuBackend(threads, SparseCpuBackend.DEFAULT_DENSE_BELOW_SPARSITY);
        // measured plans are measured once more after this many requests (the engine's default), within the warm-up
        // below: the first measurement sees sparse-cpu's kernels before C2 has compiled them
        int remeasureAfter = Integer.getInteger("bench.remeasureAfter", 1000);
        try (OrtCpuBackend ort = new OrtCpuBackend("ort-cpu", threads, 1,
                OrtSpinning.fromProperty());
             LocalPlatform platform = LocalPlatform.remeasuringAfter(remeasureAfter, 600_000, ort, sparse)) {
            CalibratingModelAnalyzer analyzer = CalibratingModelAnalyzer.standalone(platform.models(), platform.calibrator(),
                    AnalyzerConfigs.withCalibrationRuns(4));
            platform.setAnalyzer(analyzer);
            platform.addPolicy(new Timed(new SingleBackendPolicy("ort-cpu"), decisions));
            platform.addPolicy(new Timed(new GreedyEarliestFinishPolicy(), decisions),
                    GreedyEarliestFinishPolicy.SERVICE_PROPERTIES);
            platform.addPolicy(new Timed(new QuadrantThresholdPolicy(-1, -1, "sparse-cpu", "", true),
                    decisions), QuadrantThresholdPolicy.SERVICE_PROPERTIES);
            String only = System.getProperty("bench.models", "");
            for (Case c : cases) {
                String fileName = c.file().getFileName().toString();
                if (!only.isEmpty() && java.util.Arrays.stream(only.split(",")).noneMatch(fileName::contains)) {
                    continue;
                }
                List<Contender> contenders = List.of(
                        new Contender("single:ort-cpu", RunOptions.withPolicy("single", Map.of("backend", "ort-cpu"))),
                        new Contender("single:sparse-cpu",
                                RunOptions.withPolicy("single", Map.of("backend", "sparse-cpu"))),
                        new Contender("greedy", RunOptions.withPolicy("greedy", Map.of())),
                        new Contender("threshold", RunOptions.withPolicy("threshold", Map.of())));
                for (int sp : sparsities) {
                    Path file = modelFile(c.file(), sp, prunedDir, work);
                    Model model = platform.models().load(null, file);
                    Map<String, long[]> shapes = c.input() == null ? Map.of() : Map.of(c.input(), c.shape());
                    Map<String, Tensor> inputs = RandomInputs.forModel(model, shapes, 42);
                    boolean sparseRunsAll = model.graph().nodes().stream()
                            .allMatch(n -> sparse.supports(n, model.graph()));
                    try (PlainOrtSession plain = PlainOrtSession.open(Files.readAllBytes(file), threads)) {
                        Map<String, Tensor> reference = plain.run(inputs);
                        long t0 = System.nanoTime();
                        platform.profiler().profile(model.id(), inputs, false);
                        double profileMs = (System.nanoTime() - t0) / 1e6;

                        Map<String, Callable<?>> timed = new LinkedHashMap<>();
                        timed.put("ort", () -> plain.run(inputs));
                        Map<String, Map<String, Object>> facts = new LinkedHashMap<>();
                        for (Contender k : contenders) {
                            if (k.name().equals("single:sparse-cpu") && !sparseRunsAll) {
                                continue; // single would fall back: sparse-cpu lacks operators of this model
                            }
                            decisions.remove(k.options().policy());
                            long f0 = System.nanoTime();
                            InferenceResult first = platform.inference().infer(model.id(), inputs, k.options());
                            double firstMs = (System.nanoTime() - f0) / 1e6;
                            // a cached lookup: the first plan() builds the plan of a query without inputs
                            platform.inference().plan(model.id(), k.options());
                            long p0 = System.nanoTime();
                            for (int i = 0; i < CACHED_LOOKUPS; i++) {
                                platform.inference().plan(model.id(), k.options());
                            }
                            double cachedMs = (System.nanoTime() - p0) / 1e6 / CACHED_LOOKUPS;
                            Map<String, Object> f = new LinkedHashMap<>();
                            f.put("first_request_ms", firstMs);
                            f.put("decision_ms", decisions.getOrDefault(k.options().policy(), Double.NaN));
                            f.put("cached_plan_ms", cachedMs);
                            f.put("segments", first.plan().segments().size());
                            f.put("ops_on_sparse", first.plan().segments().stream()
                                    .filter(s -> s.backendId().equals("sparse-cpu"))
                                    .mapToInt(s -> s.nodeNames().size()).sum());
                            f.put("fallback", first.plan().fallbackReason() == null ? "" : first.plan().fallbackReason());
                            f.put("max_rel_err", maxRelativeError(reference, first.outputs()));
                            facts.put(k.name(), f);
                            timed.put(k.name(), () -> platform.inference().infer(model.id(), inputs, k.options()));
                        }
                        int n = c.name().contains("det") ? Math.max(10, iterations / 2) : iterations;
                        // warm-up past the second measurement of greedy's and threshold's plans
                        Map<String, RoundRobin.Timing> t = RoundRobin.run(timed,
                                Math.max(n / 5, remeasureAfter + 20), n, 1, TIMED_PER_VISIT);
                        // the plan each contender ended on (greedy's and threshold's were measured again, warm)
                        Map<String, PlanDescription> ended = new LinkedHashMap<>();
                        for (Contender k : contenders) {
                            Map<String, Object> f = facts.get(k.name());
                            if (f != null) {
                                PlanDescription last = platform.inference().infer(model.id(), inputs, k.options()).plan();
                                // the same placement as a contender before it: the same plan, equally fast; the
                                // main rounds' ratio between the two is this machine's noise (HeadToHead)
                                f.put("same_plan_as", ended.entrySet().stream()
                                        .filter(e -> HeadToHead.samePlan(e.getValue(), last)).map(Map.Entry::getKey)
                                        .findFirst().orElse(""));
                                ended.put(k.name(), last);
                                f.put("segments", last.segments().size());
                                f.put("ops_on_sparse", last.segments().stream()
                                        .filter(s -> s.backendId().equals("sparse-cpu"))
                                        .mapToInt(s -> s.nodeNames().size()).sum());
                                f.put("fallback", last.fallbackReason() == null ? "" : last.fallbackReason());
                                f.put("backends", String.join("+", last.segments().stream()
                                        .map(SegmentPlan::backendId).distinct().toList()));
                            }
                        }
                        double ortMedian = t.get("ort").median();
                        double bestSingle = java.util.stream.Stream.of("single:ort-cpu", "single:sparse-cpu")
                                .map(t::get).filter(java.util.Objects::nonNull).mapToDouble(RoundRobin.Timing::median)
                                .min().orElse(Double.NaN);
                        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-15s %4d %9.2f |",
                                c.name(), sp, ortMedian));
                        rows.add(row(c, sp, "onnxruntime", n, t.get("ort"), ortMedian, profileMs, Map.of(), model));
                        for (Contender k : contenders) {
                            RoundRobin.Timing tk = t.get(k.name());
                            line.append(tk == null ? String.format(Locale.ROOT, " %-19s", "n/a")
                                    : String.format(Locale.ROOT, " %7.2f (%5.2fx)%-4s", tk.median(),
                                            tk.median() / ortMedian, "S" + facts.get(k.name()).get("segments")
                                            + (facts.get(k.name()).get("backends").equals("sparse-cpu") ? "s" : "")));
                            if (tk != null) {
                                rows.add(row(c, sp, k.name(), n, tk, ortMedian, profileMs, facts.get(k.name()), model));
                            }
                        }
                        for (String policy : List.of("greedy", "threshold")) {
                            RoundRobin.Timing tp = t.get(policy);
                            if (tp != null) {
                                Object same = facts.get(policy).get("same_plan_as");
                                line.append(String.format(Locale.ROOT, " | %s vs best single %.3fx%s", policy,
                                        bestSingle / tp.median(), same == null || same.toString().isEmpty() ? ""
                                                : " (" + same + "'s very plan)"));
                            }
                        }
                        System.out.println(line);
                    }
                    platform.models().unload(model.id());
                }
            }
        }
        sparse.close();
        String loadAfter = LoadAverage.line();
        write(rows, threads, iterations, remeasureAfter, loadBefore, loadAfter, prunedDir);
    }

    private static Map<String, Object> row(Case c, int sp, String contender, int n, RoundRobin.Timing t, double ort,
                                           double profileMs, Map<String, Object> facts, Model model) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", c.name());
        r.put("input", c.shape() == null ? "declared" : Shapes.format(c.shape()));
        r.put("operators", model.operatorCount());
        r.put("sparsity_pct", sp);
        r.put("contender", contender);
        r.put("iterations", n);
        r.put("p50_ms", t.median());
        r.put("p90_ms", t.p90());
        r.put("ratio_vs_ort_p50", t.median() / ort);
        r.put("profile_ms", profileMs);
        for (String k : List.of("backends", "segments", "ops_on_sparse", "max_rel_err", "decision_ms", "first_request_ms",
                "cached_plan_ms", "fallback", "same_plan_as")) {
            r.put(k, facts.getOrDefault(k, ""));
        }
        return r;
    }

    /** The original model at 0 %, else a pruned copy (made here, or taken from {@code prunedDir}). */
    private static Path modelFile(Path original, int sparsityPct, String prunedDir, Path work) throws IOException {
        if (sparsityPct == 0) {
            return original;
        }
        String name = BenchModels.prunedName(original, sparsityPct);
        if (prunedDir != null) {
            Path given = Path.of(prunedDir).resolve(name);
            if (!Files.exists(given)) {
                throw new IllegalArgumentException("-Dbench.pruned: no " + given.toAbsolutePath());
            }
            return given;
        }
        return BenchModels.atSparsity(original, sparsityPct, work);
    }

    /** Largest |ref - out| over max(max |ref|, 1), over all outputs. */
    private static double maxRelativeError(Map<String, Tensor> reference, Map<String, Tensor> outputs) {
        double worst = 0;
        for (Map.Entry<String, Tensor> e : reference.entrySet()) {
            float[] x = e.getValue().toFloatArray();
            Tensor got = outputs.get(e.getKey());
            if (got == null) {
                return Double.POSITIVE_INFINITY;
            }
            float[] y = got.toFloatArray();
            double d = 0;
            double scale = 1;
            for (int i = 0; i < x.length; i++) {
                d = Math.max(d, Math.abs((double) x[i] - y[i]));
                scale = Math.max(scale, Math.abs(x[i]));
            }
            worst = Math.max(worst, d / scale);
        }
        return worst;
    }


    private static void write(List<Map<String, Object>> rows, int threads, int iterations, int remeasureAfter,
                              String loadBefore, String loadAfter, String prunedDir) throws IOException {
        Path out = Path.of(System.getProperty("bench.out", "results/policies.csv"));
        ResultsCsv.write(out, List.of(
                "load average (/proc/loadavg) before: " + loadBefore + "; after: " + loadAfter,
                "threads: ONNX Runtime 1.29.0 intra-op " + threads + " (plain session and ort-cpu), sparse-cpu pool "
                        + threads + " (weights dense below "
                        + Math.round(100 * SparseCpuBackend.DEFAULT_DENSE_BELOW_SPARSITY)
                        + " % zeros); measured plans measured again after " + remeasureAfter + " requests",
                "method: one JVM, warm-up, every iteration runs all contenders in a new seeded random order (each visit"
                        + " one untimed run and at least 40 ms of them, then " + TIMED_PER_VISIT + " timed ones),"
                        + " median and p90; seeded uniform [0,1) inputs; iterations " + iterations
                        + " (PP-OCRv3 det half)",
                "pruning: " + (prunedDir == null
                        ? "MagnitudePruner, unstructured magnitude, scope " + BenchModels.pruneScope()
                        : "files from " + prunedDir),
                "scheduling: profile_ms = operator profiling on both backends (once per model, for greedy and"
                        + " threshold); decision_ms = the policy's first place() (threshold: includes the analyzer's 4"
                        + " calibration runs); first_request_ms = decision + segment compilation + one run;"
                        + " cached_plan_ms = plan lookup of the cached schedule (mean of 1000); greedy and threshold"
                        + " plans are measured against each single backend on the first request (engine default), so"
                        + " first_request_ms includes those runs",
                "same_plan_as: the earlier contender whose plan places every operator as this one's does: the same"
                        + " plan, equally fast (a ratio between the two in the main rounds is the machine's noise)"),
                rows);
    }

    private PolicyBenchmark() {
    }
}
