package org.sparoa.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Function;

import org.sparoa.api.CostModel;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Placement;
import org.sparoa.api.PlanDescription;
import org.sparoa.api.RunOptions;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SchedulingPolicy;
import org.sparoa.api.SegmentPlan;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.PlainOrtSession;
import org.sparoa.engine.LocalPlatform;
import org.sparoa.policy.single.internal.SingleBackendPolicy;
import org.sparoa.policy.threshold.internal.QuadrantThresholdPolicy;
import org.sparoa.predictor.internal.LearnedThresholdPredictor;

/**
 * The {@code threshold} policy with the predictor's per-operator thresholds against the same policy with the fixed
 * thresholds (0.5 and 10 FLOP/byte), side by side in one JVM on the real backends: plain ONNX Runtime, each single
 * backend, and each of the two threshold sources three times — as a user runs the policy (the rule, island merging, the
 * engine's measured choice), as the policy plans without the engine's measured choice ({@code plan}: what the engine
 * serves with {@code measuredChoice = false}: the rule, island merging, and the whole model on one backend where the
 * cost model prices that lower), and as the rule alone places the model ({@code rule}: no island merging, no measured
 * choice). Per model and sparsity it prints the medians, predicted over fixed, and the operators the two sources place
 * differently with the engine's measured per-operator costs on each backend, so that a misplacement can be seen. Writes
 * {@code results/predicted-thresholds.csv}.
 *
 * <p>As a served model reaches it, the policy's plan is the one of the engine's second, warm measurement (after
 * {@code -Dbench.remeasureAfter} requests, default 100; the engine's default is 1000): the warm-up runs past it and
 * the plans printed are those the timed runs used. Where both threshold sources ended on the same plan (same
 * backend for every operator) the table says {@code same}: their ratio is then the measurement's noise, not a
 * difference between the sources. The column {@code p/f*} is the target's quantity (fixed over predicted, > 1:
 * predicted faster): 1 where both ended on the same plan, and where they differ the ratio of the two plans timed head
 * to head afterwards ({@code -Dbench.headToHead} interleaved visits, default 40), since on a shared 2-core VM the
 * same plan timed within the main rounds can differ by 30 %. {@code plan p/f*} is the same quantity for the plans
 * made without the measured choice.
 *
 * <p>Arguments: {@code [iterations] [threads] [sparsities]}, default {@code 10 2 0,50,80,90};
 * {@code -Dbench.ortSpinning=MODE} (the distribution configures {@code within-run}); {@code -Dbench.models=...}
 * (default {@code mlsd,det,blazeface_back,cls}); {@code -Dbench.predictor=FILE} a trained predictor (default the
 * one shipped in the bundle).
 *
 * <pre>
 * mvn -B -o -pl bench exec:exec -Dbench.main=org.sparoa.bench.PredictedThresholdsBenchmark \
 *     -Dbench.jvm=-Dbench.ortSpinning=within-run -Dbench.args="8 2 0,50,80,90"
 * </pre>
 */
public final class PredictedThresholdsBenchmark {
    private static final Map<String, String> FIXED = Map.of("sparsity", "0.5", "intensity", "10");
    private static final String RULE_ALONE = "threshold-rule";
    private static final String WITHOUT_MEASURED_CHOICE = "threshold-plan";
    private static final int REMEASURE_AFTER = Integer.getInteger("bench.remeasureAfter", 100);

    private PredictedThresholdsBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        PolicySweep sweep = PolicySweep.fromArgs(args);
        int iterations = sweep.iterations();
        int threads = sweep.threads();
        LearnedThresholdPredictor predictor = BenchPredictor.load();
        Distinct distinct = new Distinct();
        List<Map<String, Object>> rows = new ArrayList<>();
        try (CpuBenchPlatform cpu = CpuBenchPlatform.remeasuringAfter(REMEASURE_AFTER, threads)) {
            LocalPlatform platform = cpu.platform();
            platform.addPolicy(new SingleBackendPolicy("ort-cpu"));
            QuadrantThresholdPolicy threshold = new QuadrantThresholdPolicy(-1, -1, "sparse-cpu", "", true);
            threshold.bindPredictor(predictor);
            platform.addPolicy(threshold, QuadrantThresholdPolicy.SERVICE_PROPERTIES);
            QuadrantThresholdPolicy rule = new QuadrantThresholdPolicy(-1, -1, "sparse-cpu", "", false);
            rule.bindPredictor(predictor);
            // the rule alone (no island merging, no measured choice), remembering each threshold source's placement
            platform.addPolicy(new NamedPolicy(RULE_ALONE, context -> {
                QuadrantThresholdPolicy.Decision d = rule.decide(context);
                distinct.record(d.predicted().isEmpty() ? "fixed" : "predicted", context, d);
                return d.placement();
            }), Map.of(SchedulingPolicy.PROP_NEEDS_COSTS, true));
            QuadrantThresholdPolicy unmeasured = new QuadrantThresholdPolicy(-1, -1, "sparse-cpu", "", true);
            unmeasured.bindPredictor(predictor);
            // the policy's own plan without PROP_MEASURED_CHOICE: what the engine serves with measuredChoice = false
            platform.addPolicy(new NamedPolicy(WITHOUT_MEASURED_CHOICE, unmeasured::place),
                    Map.of(SchedulingPolicy.PROP_NEEDS_COSTS, true));
            System.out.println("predictor v" + predictor.info().version() + " (" + predictor.info().source() + "), "
                    + MachineInfo.describe());
            Map<String, RunOptions> contenders = new LinkedHashMap<>();
            contenders.put("single:ort-cpu", RunOptions.withPolicy("single", Map.of("backend", "ort-cpu")));
            contenders.put("single:sparse-cpu", RunOptions.withPolicy("single", Map.of("backend", "sparse-cpu")));
            contenders.put("threshold:predicted", RunOptions.withPolicy("threshold", Map.of()));
            contenders.put("threshold:fixed", RunOptions.withPolicy("threshold", FIXED));
            contenders.put("plan:predicted", RunOptions.withPolicy(WITHOUT_MEASURED_CHOICE, Map.of()));
            contenders.put("plan:fixed", RunOptions.withPolicy(WITHOUT_MEASURED_CHOICE, FIXED));
            contenders.put("rule:predicted", RunOptions.withPolicy(RULE_ALONE, Map.of()));
            contenders.put("rule:fixed", RunOptions.withPolicy(RULE_ALONE, FIXED));
            System.out.printf(Locale.ROOT, "%-15s %4s %8s %8s %8s | %9s %9s %6s %6s %6s | %9s %9s %6s %6s %6s | %9s"
                            + " %9s %6s%n", "model", "sp%", "ORT", "ort-cpu", "sparse", "thr:pred", "thr:fixed", "p/f",
                    "plans", "p/f*", "plan:pred", "plan:fix", "p/f", "plans", "p/f*", "rule:pred", "rule:fix", "p/f");
            sweep.forEach(platform, (model, inputs, plain, c, sp) ->
                    evaluate(platform, model, inputs, plain, contenders, c, sp, iterations, distinct, rows));
        }
        write(rows, threads, iterations, predictor);
    }

    private static void evaluate(LocalPlatform platform, Model model, Map<String, Tensor> inputs, PlainOrtSession plain,
                                 Map<String, RunOptions> contenders, BenchModels.Case c, int sp, int iterations,
                                 Distinct distinct, List<Map<String, Object>> rows) throws Exception {
        CpuSteal start = CpuSteal.now();
        Map<String, Callable<?>> timed = new LinkedHashMap<>();
        timed.put("ort", () -> plain.run(inputs));
        Map<String, PlanDescription> plans = new LinkedHashMap<>();
        distinct.clear();
        for (Map.Entry<String, RunOptions> k : contenders.entrySet()) {
            InferenceResult first = platform.inference().infer(model.id(), inputs, k.getValue());
            if (first.plan().fallbackReason() != null && first.plan().policy().equals(SchedulingPolicy.FIRST_CAPABLE)) {
                System.out.println("  " + k.getKey() + " fell back: " + first.plan().fallbackReason());
                continue;
            }
            plans.put(k.getKey(), first.plan());
            timed.put(k.getKey(), () -> platform.inference().infer(model.id(), inputs, k.getValue()));
        }
        // warm-up past the engine's second measurement of the threshold plans: the timed runs use the warm choice
        Map<String, RoundRobin.Timing> t = RoundRobin.run(timed, Math.max(iterations / 2, REMEASURE_AFTER + 20),
                iterations, 1, 3);
        for (String k : plans.keySet()) {
            plans.put(k, platform.inference().infer(model.id(), inputs, contenders.get(k)).plan());
        }
        Pair measured = Pair.of("threshold", plans, timed);
        Pair unmeasured = Pair.of("plan", plans, timed);
        System.out.printf(Locale.ROOT, "%-15s %4d %8.2f %8s %8s | %9s %9s %6s %6s %6s | %9s %9s %6s %6s %6s | %9s %9s"
                        + " %6s%n", c.name(), sp, t.get("ort").median(), ms(t, "single:ort-cpu"),
                ms(t, "single:sparse-cpu"), ms(t, "threshold:predicted"), ms(t, "threshold:fixed"),
                ratio(t, "threshold:fixed", "threshold:predicted"), measured.same(), measured.target(),
                ms(t, "plan:predicted"), ms(t, "plan:fixed"), ratio(t, "plan:fixed", "plan:predicted"),
                unmeasured.same(), unmeasured.target(), ms(t, "rule:predicted"), ms(t, "rule:fixed"),
                ratio(t, "rule:fixed", "rule:predicted"));
        measured.print();
        unmeasured.print();
        for (String k : plans.keySet()) {
            System.out.println("  " + k + ": " + describe(plans.get(k)));
        }
        CpuSteal end = CpuSteal.now();
        System.out.println("  CPU steal during this point (time the hypervisor gave other guests): "
                + CpuSteal.percent(start, end));
        List<String> differing = distinct.differences();
        System.out.println("  operators the two threshold sources place differently: " + differing.size()
                + distinct.summary());
        differing.stream().limit(12).forEach(d -> System.out.println("    " + d));
        double ortMs = t.get("ort").median();
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
            r.put("ops_on_sparse", plan == null ? "" : opsOn(plan, "sparse-cpu"));
            r.put("differently_placed_ops", differing.size());
            r.put("threshold_plans", measured.same());
            r.put("predicted_over_fixed_target", measured.target());
            r.put("plans_without_measured_choice", unmeasured.same());
            r.put("predicted_over_fixed_without_measured_choice", unmeasured.target());
            r.put("cpu_steal", CpuSteal.share(start, end));
            rows.add(r);
        }
    }

    private static int opsOn(PlanDescription plan, String backend) {
        return plan.segments().stream().filter(s -> s.backendId().equals(backend))
                .mapToInt(s -> s.nodeNames().size()).sum();
    }

    private static String describe(PlanDescription plan) {
        return plan.segments().size() + " segment(s), " + opsOn(plan, "sparse-cpu") + " operator(s) on sparse-cpu"
                + (plan.fallbackReason() == null ? "" : "; measured choice: " + plan.fallbackReason());
    }

    private static String ms(Map<String, RoundRobin.Timing> t, String k) {
        return t.containsKey(k) ? String.format(Locale.ROOT, "%.2f", t.get(k).median()) : "n/a";
    }

    /** How much faster {@code num}'s alternative {@code den} ran: fixed over predicted (> 1: predicted faster). */
    private static String ratio(Map<String, RoundRobin.Timing> t, String fixed, String predicted) {
        return t.containsKey(fixed) && t.containsKey(predicted)
                ? String.format(Locale.ROOT, "%.3f", t.get(fixed).median() / t.get(predicted).median()) : "n/a";
    }

    /**
     * The two threshold sources' plans of one way of running the policy ({@code prefix}: {@code threshold} or {@code
     * plan}): whether they are the same plan, and where not, the two timed head to head.
     */
    private record Pair(String prefix, String same, Map<String, RoundRobin.Timing> headToHead) {
        static Pair of(String prefix, Map<String, PlanDescription> plans, Map<String, Callable<?>> timed)
                throws Exception {
            String p = prefix + ":predicted";
            String f = prefix + ":fixed";
            if (!plans.containsKey(p) || !plans.containsKey(f)) {
                return new Pair(prefix, "n/a", null);
            }
            if (HeadToHead.samePlan(plans.get(p), plans.get(f))) {
                return new Pair(prefix, "same", null);
            }
            return new Pair(prefix, "differ", HeadToHead.time(p, timed.get(p), f, timed.get(f)));
        }

        /** Fixed over predicted (> 1: predicted faster): 1 for the same plan, else the head-to-head ratio. */
        String target() {
            return same.equals("same") ? "1.000" : headToHead == null ? "n/a"
                    : String.format(Locale.ROOT, "%.3f", RoundRobin.sameRoundRatio(
                            headToHead.get(prefix + ":fixed"), headToHead.get(prefix + ":predicted")));
        }

        void print() {
            if (headToHead != null) {
                System.out.printf(Locale.ROOT, "  %s head to head (%d interleaved visits of 3 runs; p/f* is the median"
                                + " of the visits' same-round ratios): predicted %.3f ms (p90 %.3f), fixed %.3f ms"
                                + " (p90 %.3f)%n", prefix, HeadToHead.VISITS,
                        headToHead.get(prefix + ":predicted").median(), headToHead.get(prefix + ":predicted").p90(),
                        headToHead.get(prefix + ":fixed").median(), headToHead.get(prefix + ":fixed").p90());
            }
        }
    }

    /** A policy under a name of its own whose placement is a function of the context: the benchmark's wrappers. */
    record NamedPolicy(String name, Function<SchedulingContext, Placement> placer) implements SchedulingPolicy {
        @Override
        public Placement place(SchedulingContext context) {
            return placer.apply(context);
        }
    }

    /** The two threshold sources' placements of the model in hand, and what they differ in. */
    static final class Distinct {
        private final Map<String, QuadrantThresholdPolicy.Decision> decisions = new TreeMap<>();
        private SchedulingContext context;

        synchronized void clear() {
            decisions.clear();
            context = null;
        }

        synchronized void record(String source, SchedulingContext c, QuadrantThresholdPolicy.Decision d) {
            decisions.put(source, d);
            context = c;
        }

        /** Per operator placed differently: the two placements and the measured per-operator cost on each backend. */
        synchronized List<String> differences() {
            QuadrantThresholdPolicy.Decision p = decisions.get("predicted");
            QuadrantThresholdPolicy.Decision f = decisions.get("fixed");
            if (p == null || f == null) {
                return List.of();
            }
            CostModel costs = context.costs();
            List<String> out = new ArrayList<>();
            for (Node n : context.model().graph().nodes()) {
                String bp = p.placement().backendByNode().get(n.name());
                String bf = f.placement().backendByNode().get(n.name());
                if (bp != null && !bp.equals(bf)) {
                    double onP = costs.operatorMillis(bp, n).orElse(Double.NaN);
                    double onF = costs.operatorMillis(bf, n).orElse(Double.NaN);
                    out.add(String.format(Locale.ROOT, "%s (%s): predicted -> %s %.4f ms, fixed -> %s %.4f ms; %s",
                            n.name(), n.opType(), bp, onP, bf, onF, onP < onF ? "predicted right"
                                    : onP > onF ? "fixed right" : "equal"));
                }
            }
            return out;
        }

        /** Over the differing operators: how many the measured per-operator costs say each source placed right. */
        synchronized String summary() {
            List<String> d = differences();
            long p = d.stream().filter(s -> s.endsWith("predicted right")).count();
            long f = d.stream().filter(s -> s.endsWith("fixed right")).count();
            return d.isEmpty() ? "" : " (by the measured per-operator costs: predicted right on " + p + ", fixed right on "
                    + f + ")";
        }
    }

    private static void write(List<Map<String, Object>> rows, int threads, int iterations,
                              LearnedThresholdPredictor predictor) throws IOException {
        ResultsCsv.write(Path.of(System.getProperty("bench.out", "results/predicted-thresholds.csv")), List.of(
                "load average (/proc/loadavg) at the end: " + LoadAverage.read(),
                "predictor v" + predictor.info().version() + " (" + predictor.info().source() + "); " + threads
                        + " threads per backend and for plain ONNX Runtime; " + iterations
                        + " interleaved iterations (3 timed runs per visit), median and p90, after a warm-up past the"
                        + " engine's second measurement (after " + REMEASURE_AFTER + " requests); fixed = sparsity 0.5,"
                        + " intensity 10; plan = the policy's plan without the engine's measured choice; rule = the"
                        + " quadrant rule alone (no island merging, no measured choice)"),
                rows);
    }
}
