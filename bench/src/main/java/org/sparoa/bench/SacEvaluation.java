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

import org.sparoa.api.InferenceResult;
import org.sparoa.api.Model;
import org.sparoa.api.PlanDescription;
import org.sparoa.api.RunOptions;
import org.sparoa.api.SegmentPlan;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.PlainOrtSession;
import org.sparoa.engine.LocalPlatform;
import org.sparoa.ml.Networks;
import org.sparoa.policy.greedy.internal.GreedyEarliestFinishPolicy;
import org.sparoa.policy.sac.internal.SacPolicy;
import org.sparoa.policy.single.internal.SingleBackendPolicy;
import org.sparoa.policy.threshold.internal.QuadrantThresholdPolicy;
import org.sparoa.predictor.internal.LearnedThresholdPredictor;

/**
 * The SAC scheduler against every other placement, measured side by side in one JVM on the real backends: plain ONNX
 * Runtime, each single backend, {@code greedy}, {@code threshold} (the predictor's thresholds, as in the distribution),
 * {@code sac} (shipped weights, or {@code -Dbench.sacWeights=FILE}), a seeded random
 * placement, and an oracle: the measured best of every single backend and the cheapest plans of at most 2, 3, 4 and 6
 * segments by the cost model (an exact search over cut points, each plan timed as placed). Per model and sparsity it
 * prints each contender's median, {@code sac} over the best other policy and over the oracle, and {@code sac}'s cold
 * and cached decision times; where {@code sac}'s plan differs from the best other policy's, or from the oracle's, the
 * two are then timed head to head ({@code -Dbench.headToHead} interleaved visits, default 40), since one plan timed
 * twice in the main rounds can differ by a third on a shared VM. Writes {@code results/sac-policies.csv}.
 *
 * <p>Arguments: {@code [iterations] [threads] [sparsities]}, default {@code 10 2 0,50,80,90};
 * {@code -Dbench.ortSpinning=MODE} sets the ort-cpu backend's {@code spinning} (default auto);
 * {@code -Dbench.models=mlsd,det,blazeface_back,cls} chooses the models (default these four);
 * {@code -Dbench.pruneScope=layer|global} how they are pruned ({@link BenchModels#pruneScope()});
 * {@code -Dbench.predictor=FILE} the threshold predictor {@code sac} and {@code threshold} read (default the shipped
 * one).
 */
public final class SacEvaluation {

    private static final List<Integer> CUTS = List.of(2, 3, 4, 6);
    private static final int CACHED_LOOKUPS = 1000;

    private SacEvaluation() {
    }

    public static void main(String[] args) throws Exception {
        PolicySweep sweep = PolicySweep.fromArgs(args);
        int iterations = sweep.iterations();
        int threads = sweep.threads();
        List<Map<String, Object>> rows = new ArrayList<>();
        try (CpuBenchPlatform cpu = CpuBenchPlatform.open(threads)) {
            LocalPlatform platform = cpu.platform();
            platform.addPolicy(new SingleBackendPolicy("ort-cpu"));
            platform.addPolicy(new GreedyEarliestFinishPolicy(), GreedyEarliestFinishPolicy.SERVICE_PROPERTIES);
            // as in the distribution, where both read the predictor's thresholds (sac was trained with them)
            LearnedThresholdPredictor predictor = BenchPredictor.load();
            QuadrantThresholdPolicy threshold = new QuadrantThresholdPolicy(-1, -1, "sparse-cpu", "", true);
            threshold.bindPredictor(predictor);
            platform.addPolicy(threshold, QuadrantThresholdPolicy.SERVICE_PROPERTIES);
            Path sacDirectory = Files.createTempDirectory("sac-eval");
            String candidate = System.getProperty("bench.sacWeights");
            if (candidate != null) {
                // weights to judge instead of the shipped ones: the policy takes the newest stored version
                Files.copy(Path.of(candidate), sacDirectory.resolve("sac-v0001.weights"));
            }
            SacPolicy sac = new SacPolicy(Networks.agentsOutsideOsgi(1), sacDirectory);
            sac.bindPredictor(predictor);
            platform.addPolicy(sac, SacPolicy.SERVICE_PROPERTIES);
            platform.addPolicy(new FixedPolicies.RandomPlacement());
            platform.addPolicy(new FixedPolicies.CheapestCut(), FixedPolicies.CheapestCut.SERVICE_PROPERTIES);
            Map<String, RunOptions> contenders = new LinkedHashMap<>();
            contenders.put("single:ort-cpu", RunOptions.withPolicy("single", Map.of("backend", "ort-cpu")));
            contenders.put("single:sparse-cpu", RunOptions.withPolicy("single", Map.of("backend", "sparse-cpu")));
            contenders.put("greedy", RunOptions.withPolicy("greedy", Map.of()));
            contenders.put("threshold", RunOptions.withPolicy("threshold", Map.of()));
            contenders.put("sac", RunOptions.withPolicy("sac", Map.of()));
            contenders.put("random", RunOptions.withPolicy("random", Map.of()));
            for (int k : CUTS) {
                contenders.put("cut-" + k, RunOptions.withPolicy("cut", Map.of("segments", Integer.toString(k))));
            }
            System.out.printf(Locale.ROOT, "%-15s %4s %8s %8s %8s %8s %8s %8s %8s %8s | %s%n", "model", "sp%", "ORT",
                    "ort-cpu", "sparse", "greedy", "thresh", "sac", "random", "oracle", "sac vs best other / oracle");
            sweep.forEach(platform, (model, inputs, plain, c, sp) ->
                    evaluate(platform, model, inputs, plain, contenders, c, sp, iterations, rows));
        }
        write(rows, threads, iterations);
    }

    private static void evaluate(LocalPlatform platform, Model model, Map<String, Tensor> inputs, PlainOrtSession plain,
                                 Map<String, RunOptions> contenders, BenchModels.Case c, int sp, int iterations,
                                 List<Map<String, Object>> rows) throws Exception {
        Map<String, Callable<?>> timed = new LinkedHashMap<>();
        timed.put("ort", () -> plain.run(inputs));
        Map<String, PlanDescription> plans = new LinkedHashMap<>();
        Map<String, Double> firstMs = new LinkedHashMap<>();
        for (Map.Entry<String, RunOptions> k : contenders.entrySet()) {
            long t0 = System.nanoTime();
            InferenceResult first;
            try {
                first = platform.inference().infer(model.id(), inputs, k.getValue());
            } catch (RuntimeException e) {
                System.out.println("  " + k.getKey() + " cannot run " + c.name() + ": " + e.getMessage());
                continue;
            }
            firstMs.put(k.getKey(), (System.nanoTime() - t0) / 1e6);
            if (first.plan().fallbackReason() != null && first.plan().policy().equals("first-capable")) {
                System.out.println("  " + k.getKey() + " fell back: " + first.plan().fallbackReason());
                continue;
            }
            if (first.plan().fallbackReason() != null && first.plan().fallbackReason().contains("' failed: ")) {
                // timed, but told: the policy failed and the measured choice chose among the fallback and the rest
                System.out.println("  " + k.getKey() + " failed, measured choice kept another plan: "
                        + first.plan().fallbackReason());
            }
            plans.put(k.getKey(), first.plan());
            timed.put(k.getKey(), () -> platform.inference().infer(model.id(), inputs, k.getValue()));
        }
        double cachedUs = cachedDecisionMicros(platform, model, contenders.get("sac"));
        Map<String, RoundRobin.Timing> t = RoundRobin.run(timed, Math.max(5, iterations / 2), iterations, 1, 3);
        double ortMs = t.get("ort").median();
        double oracle = Double.POSITIVE_INFINITY;
        String oracleName = "";
        for (String k : t.keySet()) {
            if ((k.startsWith("single:") || k.startsWith("cut-")) && t.get(k).median() < oracle) {
                oracle = t.get(k).median();
                oracleName = k;
            }
        }
        String bestOtherName = java.util.stream.Stream.of("single:ort-cpu", "single:sparse-cpu", "greedy",
                "threshold").filter(t::containsKey).min(java.util.Comparator.comparingDouble(k -> t.get(k).median()))
                .orElse(null);
        double bestOther = bestOtherName == null ? Double.NaN : t.get(bestOtherName).median();
        double sacMs = t.containsKey("sac") ? t.get("sac").median() : Double.NaN;
        // the target's quantity: where sac ended on the best other policy's very plan the two are equally fast (the
        // main rounds' ratio is then this machine's noise); where the plans differ, they are timed head to head
        String versus = versus(bestOtherName, plans, timed);
        // the oracle likewise: its plan's median in rounds of twenty contenders sees the VM's drift more than a pair does;
        // where it runs the best other policy's very plan, that pair was just timed
        boolean oracleIsBestOther = !oracleName.isEmpty() && bestOtherName != null && plans.containsKey(oracleName)
                && plans.containsKey(bestOtherName)
                && HeadToHead.samePlan(plans.get(oracleName), plans.get(bestOtherName));
        String versusOracle = oracleIsBestOther ? versus : versus(oracleName.isEmpty() ? null : oracleName, plans, timed);
        System.out.printf(Locale.ROOT,
                "%-15s %4d %8.2f %8s %8s %8s %8s %8s %8s %8.2f | %.3fx / %.3fx (%s) | vs %s: %s | vs oracle: %s%n",
                c.name(), sp, ortMs, ms(t, "single:ort-cpu"), ms(t, "single:sparse-cpu"), ms(t, "greedy"),
                ms(t, "threshold"), ms(t, "sac"), ms(t, "random"), oracle, bestOther / sacMs, oracle / sacMs,
                oracleName, bestOtherName, versus, versusOracle);
        for (String k : t.keySet()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("model", c.name());
            r.put("sparsity_pct", sp);
            r.put("contender", k.equals("ort") ? "onnxruntime" : k);
            r.put("p50_ms", t.get(k).median());
            r.put("p90_ms", t.get(k).p90());
            r.put("vs_ort", t.get(k).median() / ortMs);
            PlanDescription plan = plans.get(k);
            r.put("segments", plan == null ? "" : plan.segments().size());
            r.put("ops_on_sparse", plan == null ? "" : plan.segments().stream()
                    .filter(s -> s.backendId().equals("sparse-cpu")).mapToInt(s -> s.nodeNames().size()).sum());
            r.put("backends", plan == null ? "" : String.join("+", plan.segments().stream()
                    .map(SegmentPlan::backendId).distinct().toList()));
            r.put("first_request_ms", firstMs.getOrDefault(k, Double.NaN));
            r.put("cached_decision_us", k.equals("sac") ? cachedUs : Double.NaN);
            r.put("oracle_ms", oracle);
            r.put("oracle", oracleName);
            r.put("best_other", bestOtherName);
            r.put("sac_vs_best_other", versus);
            r.put("sac_vs_oracle", versusOracle);
            rows.add(r);
        }
    }

    /**
     * {@code sac} against another contender: "same plan" where {@code sac} ended on that contender's very plan (the
     * main rounds' ratio is then this machine's noise), else the two timed head to head, the other's time over
     * {@code sac}'s (above 1: {@code sac} faster).
     */
    private static String versus(String other, Map<String, PlanDescription> plans, Map<String, Callable<?>> timed)
            throws Exception {
        if (other == null || !plans.containsKey("sac") || !plans.containsKey(other)) {
            return "n/a";
        }
        if (HeadToHead.samePlan(plans.get("sac"), plans.get(other))) {
            return "same plan";
        }
        Map<String, RoundRobin.Timing> pair = HeadToHead.time("sac", timed.get("sac"), other, timed.get(other));
        return String.format(Locale.ROOT, "%.3fx head to head (same-round ratio; medians %.3f / %.3f ms)",
                RoundRobin.sameRoundRatio(pair.get(other), pair.get("sac")), pair.get("sac").median(),
                pair.get(other).median());
    }

    /**
     * Median time of a cached plan lookup for {@code sac} (the plan query, which reads the load classes too): the
     * median, because a lookup during which a backend's load class moved re-plans, and a few of those in a thousand
     * would make a mean of the decision, not of the lookup. A plan query carries no inputs: for a model with dynamic
     * input shapes it is planned for the shapes of the model's latest request.
     */
    private static double cachedDecisionMicros(LocalPlatform platform, Model model, RunOptions options) {
        platform.inference().plan(model.id(), options);
        long[] nanos = new long[CACHED_LOOKUPS];
        for (int i = 0; i < CACHED_LOOKUPS; i++) {
            long t0 = System.nanoTime();
            platform.inference().plan(model.id(), options);
            nanos[i] = System.nanoTime() - t0;
        }
        java.util.Arrays.sort(nanos);
        return nanos[CACHED_LOOKUPS / 2] / 1e3;
    }

    private static String ms(Map<String, RoundRobin.Timing> t, String k) {
        return t.containsKey(k) ? String.format(Locale.ROOT, "%.2f", t.get(k).median()) : "n/a";
    }


    private static void write(List<Map<String, Object>> rows, int threads, int iterations) throws IOException {
        ResultsCsv.write(Path.of(System.getProperty("bench.out", "results/sac-policies.csv")), List.of(
                "load average (/proc/loadavg) at the end: " + LoadAverage.read(),
                threads + " threads per backend and for plain ONNX Runtime; " + iterations
                        + " interleaved iterations (3 timed runs per visit), median and p90; oracle = the fastest of the"
                        + " single backends and the cheapest plans of at most " + CUTS + " segments, each timed as placed"),
                rows);
    }
}
