package org.sparoa.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;

import org.sparoa.api.Model;
import org.sparoa.api.PlanDescription;
import org.sparoa.api.RunOptions;
import org.sparoa.api.Tensor;
import org.sparoa.api.learn.SoftActorCritics;
import org.sparoa.api.RandomInputs;
import org.sparoa.engine.LocalPlatform;
import org.sparoa.ml.Networks;
import org.sparoa.policy.sac.internal.OnlineTuning;
import org.sparoa.policy.sac.internal.SacPolicy;

/**
 * {@code sac}'s online fine-tuning on the real backends, as a served model meets it: per model and sparsity a fresh
 * {@code sac} policy (the shipped weights, the predictor bound as in the distribution) and a fresh
 * {@link OnlineTuning} observer with the distribution's settings (50 observations, 15 % correction, 200 episodes or
 * 10 s of work per round, the tuning thread working a quarter of a round's time, 5 % of a core over time;
 * {@code -Dbench.burstShare=1} rounds without pauses, as before they had them). The model is served with {@code sac}
 * request after request until the first round on it has ended (at most {@code maxSeconds}); then as long again
 * (2-20 s) with no round running. The p50 of the requests served beside the round over that of the requests served
 * after it (both warm) is what the background round cost them. Where the round saved new weights, the same file is
 * loaded again under a second id (its first {@code sac} decision uses them) and the plan made before tuning and the
 * plan made after are timed head to head ({@link HeadToHead}); the same placement counts as the same plan.
 *
 * <p>Arguments: {@code [maxSeconds] [threads] [sparsities]} (default 120, 2, 80); {@code -Dbench.models} (default
 * {@code mlsd,det,blazeface_back,cls}). Writes {@code results/sac-online-tuning.csv}.
 */
public final class SacOnlineTuningRun {
    private static final List<String> COLUMNS = List.of("model", "sparsity", "requests", "plan_before", "outcome",
            "p50_before_round_ms", "p50_during_round_ms", "p50_after_round_ms", "during_over_after",
            "round_ended_after_request", "factors", "plan_as_run_ms", "plan_estimated_ms", "outside_per_segment_ms",
            "steps_replayed", "episodes", "updates",
            "estimate_before_ms", "estimate_after_ms", "plan_after", "head_to_head_before_ms", "head_to_head_after_ms",
            "after_vs_before");

    private static final double BURST_SHARE = Double.parseDouble(System.getProperty("bench.burstShare", "0.25"));

    private SacOnlineTuningRun() {
    }

    public static void main(String[] args) throws Exception {
        int maxSeconds = args.length > 0 ? Integer.parseInt(args[0]) : 120;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        List<Integer> sparsities = Arrays.stream((args.length > 2 ? args[2] : "80").split(","))
                .map(String::trim).map(Integer::parseInt).toList();
        List<BenchModels.Case> cases = BenchModels.matching(System.getProperty("bench.models",
                "mlsd,det,blazeface_back,cls"));
        System.out.println("# SacOnlineTuningRun " + Instant.now() + ", load average " + LoadAverage.read());
        List<Map<String, Object>> rows = new ArrayList<>();
        try (CpuBenchPlatform cpu = CpuBenchPlatform.open(threads)) {
            LocalPlatform platform = cpu.platform();
            for (BenchModels.Case c : cases) {
                for (int sp : sparsities) {
                    rows.add(point(platform, c, sp, maxSeconds));
                }
            }
        }
        Path out = Path.of("results", "sac-online-tuning.csv");
        ResultsCsv.write(out, List.of("SacOnlineTuningRun " + String.join(" ", args), "threads " + threads
                + ", online settings: 50 observations, 15 % correction, 200 episodes or 10 s of work a round, working "
                + BURST_SHARE + " of a round's time, 5 % of a core over time"), rows);
        System.out.println("wrote " + out + "; load average " + LoadAverage.read());
    }

    private static Map<String, Object> point(LocalPlatform platform, BenchModels.Case c, int sp, int maxSeconds)
            throws Exception {
        Path file = BenchModels.atSparsity(c.file(), sp);
        SoftActorCritics agents = Networks.agentsOutsideOsgi(1);
        SacPolicy sac = new SacPolicy(agents, Files.createTempDirectory("sac-online"));
        sac.bindPredictor(BenchPredictor.load());
        BlockingQueue<OnlineTuning.Round> rounds = new LinkedBlockingQueue<>();
        OnlineTuning tuning = new OnlineTuning(sac, agents,
                new OnlineTuning.Settings(true, 50, 0.15, 200, 10_000, 0.05, BURST_SHARE), rounds::add);
        platform.addPolicy(sac, SacPolicy.SERVICE_PROPERTIES);
        platform.addObserver(tuning);
        Model before = platform.models().load(null, file);
        Model after = null;
        Map<String, Object> row = new LinkedHashMap<>();
        COLUMNS.forEach(k -> row.put(k, null));
        row.put("model", c.name());
        row.put("sparsity", sp);
        try {
            Map<String, Tensor> inputs = RandomInputs.forModel(before, c.shapes(), 42);
            RunOptions options = RunOptions.withPolicy(SacPolicy.NAME, Map.of());
            PlanDescription planBefore = platform.inference().infer(before.id(), inputs, options).plan();
            List<Double> served = new ArrayList<>();
            OnlineTuning.Round round = null;
            long roundSeen = -1;
            long deadline = System.nanoTime() + maxSeconds * 1_000_000_000L;
            for (int i = 0; round == null && System.nanoTime() < deadline; i++) {
                long t0 = System.nanoTime();
                platform.inference().infer(before.id(), inputs, options);
                served.add((System.nanoTime() - t0) / 1e6);
                round = rounds.poll();
                if (round != null) {
                    roundSeen = i;
                }
            }
            row.put("requests", served.size());
            row.put("plan_before", describe(planBefore));
            if (round == null) {
                System.out.printf(Locale.ROOT, "%-15s %3d%%  no round within %d s, %d requests (ratios %s)%n",
                        c.name(), sp, maxSeconds, served.size(), format(tuning.factors(before.id())));
                row.put("outcome", "no round");
                return row;
            }
            // the round started when the 50th fresh observation arrived; requests from the 60th on ran beside it
            List<Double> quiet = served.subList(Math.min(10, served.size()), Math.min(50, served.size()));
            List<Double> beside = served.subList(Math.min(60, served.size()), served.size());
            double quietP50 = median(quiet);
            double besideP50 = median(beside);
            row.put("p50_before_round_ms", quietP50);
            row.put("p50_during_round_ms", besideP50);
            row.put("round_ended_after_request", roundSeen);
            row.put("factors", round.factors().toString());
            row.put("plan_as_run_ms", round.measured().measuredMillis());
            row.put("plan_estimated_ms", round.measured().expectedMillis());
            row.put("outside_per_segment_ms", round.measured().outsidePerSegmentMillis());
            row.put("steps_replayed", round.measured().transitions());
            row.put("episodes", round.episodes());
            row.put("updates", round.updates());
            row.put("estimate_before_ms", round.beforeMillis());
            row.put("estimate_after_ms", round.afterMillis());
            row.put("outcome", round.saved() == null ? round.outcome() : "saved " + round.saved().getFileName());
            System.out.printf(Locale.ROOT, "%-15s %3d%%  round after %d requests: ratios %s, plan as run %.2f ms"
                            + " (estimated %.2f, %.3f ms outside each segment, %d steps replayed), %d episodes,"
                            + " %d updates, estimate %.2f -> %.2f ms, %s; p50 before the round %.2f ms, beside it"
                            + " %.2f ms%n",
                    c.name(), sp, roundSeen + 1, format(round.factors()), round.measured().measuredMillis(),
                    round.measured().expectedMillis(), round.measured().outsidePerSegmentMillis(),
                    round.measured().transitions(), round.episodes(), round.updates(),
                    round.beforeMillis(), round.afterMillis(), row.get("outcome"), quietP50, besideP50);
            // the same model served as long again (at most 20 s) with no round running: the requests beside the round
            // against these, both warm, say what the round cost them
            double besideSeconds = beside.size() * besideP50 / 1000;
            List<Double> afterRound = new ArrayList<>();
            long until = System.nanoTime() + (long) (Math.min(20, Math.max(2, besideSeconds)) * 1e9);
            while (System.nanoTime() < until) {
                long t0 = System.nanoTime();
                platform.inference().infer(before.id(), inputs, options);
                afterRound.add((System.nanoTime() - t0) / 1e6);
            }
            double afterP50 = median(afterRound);
            row.put("p50_after_round_ms", afterP50);
            row.put("during_over_after", besideP50 / afterP50);
            System.out.printf(Locale.ROOT, "%-15s %3d%%  p50 beside the round %.2f ms, after it %.2f ms: %.2fx%n",
                    c.name(), sp, besideP50, afterP50, besideP50 / afterP50);
            if (round.saved() == null) {
                return row;
            }
            after = platform.models().load(null, file);
            Model tuned = after;
            PlanDescription planAfter = platform.inference().infer(tuned.id(), inputs, options).plan();
            row.put("plan_after", describe(planAfter));
            if (HeadToHead.samePlan(planBefore, planAfter)) {
                row.put("after_vs_before", "same plan");
                System.out.printf(Locale.ROOT, "%-15s %3d%%  tuned weights: same plan (%s)%n", c.name(), sp,
                        describe(planAfter));
                return row;
            }
            Callable<?> runBefore = () -> platform.inference().infer(before.id(), inputs, options);
            Callable<?> runAfter = () -> platform.inference().infer(tuned.id(), inputs, options);
            for (int i = 0; i < 30; i++) {
                runBefore.call();
                runAfter.call();
            }
            Map<String, RoundRobin.Timing> t = HeadToHead.time("before", runBefore, "after", runAfter);
            double ratio = RoundRobin.sameRoundRatio(t.get("before"), t.get("after"));
            row.put("head_to_head_before_ms", t.get("before").median());
            row.put("head_to_head_after_ms", t.get("after").median());
            row.put("after_vs_before", ratio);
            System.out.printf(Locale.ROOT, "%-15s %3d%%  plan before %s, after %s: head to head %.2f / %.2f ms, "
                            + "before/after %.3f (same-round ratio)%n", c.name(), sp, describe(planBefore), describe(planAfter),
                    t.get("before").median(), t.get("after").median(), ratio);
            return row;
        } finally {
            platform.removeObserver(tuning);
            tuning.close();
            platform.removePolicy(sac);
            sac.close();
            platform.models().unload(before.id());
            if (after != null) {
                platform.models().unload(after.id());
            }
        }
    }

    private static String describe(PlanDescription plan) {
        Map<String, Integer> ops = new LinkedHashMap<>();
        plan.segments().forEach(s -> ops.merge(s.backendId(), s.nodeNames().size(), Integer::sum));
        return plan.segments().size() + " segment(s) " + ops;
    }

    private static String format(Map<String, Double> factors) {
        StringBuilder b = new StringBuilder();
        factors.forEach((k, v) -> b.append(b.length() == 0 ? "" : " ").append(k).append('=')
                .append(String.format(Locale.ROOT, "%.2f", v)));
        return b.toString();
    }

    private static double median(List<Double> v) {
        return WarmupCurveBenchmark.median(v.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
