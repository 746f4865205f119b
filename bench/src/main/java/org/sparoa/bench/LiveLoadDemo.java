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

import org.sparoa.affinity.CpuSet;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.Model;
import org.sparoa.api.PlanDescription;
import org.sparoa.api.RandomInputs;
import org.sparoa.api.RunOptions;
import org.sparoa.api.SegmentPlan;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.backend.sparse.internal.SparseCpuBackend;
import org.sparoa.engine.LocalPlatform;
import org.sparoa.ml.Networks;
import org.sparoa.policy.greedy.internal.GreedyEarliestFinishPolicy;
import org.sparoa.policy.sac.internal.SacPolicy;

/**
 * Placement under a background load on one backend: the model's latency with each policy before, during and after a
 * bounded load ({@link BackendLoad}: the same model run back to back, pinned to one backend, {@code ort-cpu} unless
 * {@code -Dbench.loadOn} names another, as another application sharing the backend would). A policy that reads live
 * state ({@code sac}) re-plans when the backend's load class changes; {@code greedy} keeps the plan it made before the
 * load. Each phase times the policies and each backend alone interleaved ({@link RoundRobin}); the plans each ended
 * on, and those its timed requests ran on, are printed. Under the load {@code sac}'s reaction is timed first (how long
 * until it moved operators off the loaded backend) and it serves on to {@link #SETTLE_REQUESTS} requests before the
 * phase is timed. Writes {@code results/live-load.csv} ({@code -Dbench.out}).
 *
 * <p>With {@code -Dbench.cpus=ort-cpu:LIST,sparse-cpu:LIST} (CPU lists such as {@code 0} or {@code 2-3}) each backend
 * is pinned to CPUs of its own (its {@code cpus} setting, threads one per CPU), and the load is another application on
 * the loaded backend's CPUs ({@link CoreLoad}: a JVM of its own running the same model in plain ONNX Runtime, pinned
 * there) unless
 * {@code -Dbench.load=backend}; the loaded backend is then, unless {@code -Dbench.loadOn} names one, the one that runs
 * most of {@code greedy}'s operators before the load (loading the other would leave {@code greedy}'s plan alone).
 *
 * <p>Arguments: {@code [iterations] [threads] [sparsity%] [load threads]}, default {@code 30 2 80 1}.
 * {@code -Dbench.model=det|mlsd|blazeface_back|cls} picks the model (default det, PP-OCRv3 det at 1x3x320x320).
 */
public final class LiveLoadDemo {

    private LiveLoadDemo() {
    }

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int sparsity = args.length > 2 ? Integer.parseInt(args[2]) : 80;
        int loadThreads = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        BenchModels.Case c = BenchModels.named(System.getProperty("bench.model", "det"));
        Map<String, CpuSet> cpus = cpus(System.getProperty("bench.cpus", ""));
        boolean partitioned = !cpus.isEmpty();
        boolean onCores = partitioned && !System.getProperty("bench.load", "cores").equals("backend");
        String loadOn = System.getProperty("bench.loadOn", partitioned ? "" : "ort-cpu");
        Path file = BenchModels.atSparsity(c.file(), sparsity);
        SparseCpuBackend sparse = partitioned
                ? new SparseCpuBackend(0, SparseCpuBackend.DEFAULT_DENSE_BELOW_SPARSITY,
                        SparseCpuBackend.DEFAULT_SPIN_MICROS, cpus.get("sparse-cpu"))
                : new SparseCpuBackend(threads, SparseCpuBackend.DEFAULT_DENSE_BELOW_SPARSITY);
        List<Map<String, Object>> rows = new ArrayList<>();
        try (OrtCpuBackend ort = partitioned
                ? new OrtCpuBackend("ort-cpu", 0, 1, OrtCpuBackend.Spinning.BOUNDED, OrtCpuBackend.HandOver.DIRECT,
                        OrtCpuBackend.DEFAULT_DYNAMIC_BLOCK_BASE, OrtCpuBackend.DEFAULT_SPIN_MICROS,
                        cpus.get("ort-cpu"))
                : new OrtCpuBackend("ort-cpu", threads, 1);
             LocalPlatform platform = LocalPlatform.of(ort, sparse)) {
            platform.addPolicy(new GreedyEarliestFinishPolicy(), GreedyEarliestFinishPolicy.SERVICE_PROPERTIES);
            Map<String, RunOptions> policies = new LinkedHashMap<>();
            policies.put("greedy", RunOptions.withPolicy("greedy", Map.of()));
            platform.addPolicy(new SacPolicy(Networks.agentsOutsideOsgi(1), Files.createTempDirectory("sac-live")),
                    SacPolicy.SERVICE_PROPERTIES);
            policies.put("sac", RunOptions.withPolicy("sac", Map.of()));
            // each backend alone, for what moving can gain at all: the loaded one, and the one to move to
            policies.put("ort-cpu", RunOptions.onBackend("ort-cpu"));
            policies.put("sparse-cpu", RunOptions.onBackend("sparse-cpu"));
            Model model = platform.models().load(null, file);
            Model loadModel = platform.models().load("load", file);
            Map<String, Tensor> inputs = RandomInputs.forModel(model, c.shapes(), 42);
            Map<String, Callable<?>> timed = new LinkedHashMap<>();
            // which plan each timed request of a policy ran on, per phase: a policy that flips between plans shows
            policies.forEach((name, options) -> timed.put(name, () -> {
                InferenceResult result = platform.inference().infer(model.id(), inputs, options);
                PLANS_RUN.computeIfAbsent(name, k -> new java.util.TreeMap<>()).merge(signature(result.plan()), 1,
                        Integer::sum);
                return result;
            }));
            String backends = partitioned ? "ort-cpu on CPUs " + cpus.get("ort-cpu") + ", sparse-cpu on CPUs "
                    + cpus.get("sparse-cpu") : threads + " threads per backend";
            System.out.printf(Locale.ROOT, "%s at %d %% sparsity, %s%n", c.name(), sparsity, backends);
            Map<String, PlanDescription> before = phase("before", timed, iterations, platform, model, inputs,
                    policies, rows);
            String loaded = loadOn.isEmpty() ? mostOperators(before.get("greedy")) : loadOn;
            String load = onCores ? loadThreads + " thread(s) of plain ONNX Runtime running " + c.name()
                    + " on CPUs " + cpus.get(loaded) + " (" + loaded + "'s)"
                    : loadThreads + " thread(s) running " + c.name() + " pinned to " + loaded;
            System.out.println("load: " + load);
            String reaction = "reaction of sac: not measured (backend load)";
            BackgroundLoad running = onCores
                    ? CoreLoad.start(file, inputs, cpus.get(loaded), loadThreads, 600_000)
                    : BackendLoad.start(platform.inference(), loadModel.id(), inputs, loaded, loadThreads, 600_000);
            try (running) {
                reaction = reaction(platform, model, inputs, policies.get("sac"), loaded,
                        operatorsOn(before.get("sac"), loaded), List.of(ort, sparse));
                phase("during", duringLoad(timed), iterations, platform, model, inputs, policies, rows);
            }
            System.out.println("load runs: " + running.runs());
            phase("after", timed, iterations, platform, model, inputs, policies, rows);
            write(rows, c.name() + " at " + sparsity + " % sparsity, " + backends + "; load: " + load, reaction,
                    iterations);
        }
    }

    /** {@code ort-cpu:0,sparse-cpu:1} as a map of CPU sets; empty: no partition. */
    static Map<String, CpuSet> cpus(String spec) {
        Map<String, CpuSet> cpus = new LinkedHashMap<>();
        if (spec.isBlank()) {
            return cpus;
        }
        for (String item : spec.split("[;,](?=[a-z])")) {
            int colon = item.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("bench.cpus: '" + item + "' is not BACKEND:CPU-LIST");
            }
            cpus.put(item.substring(0, colon).trim(), CpuSet.parse(item.substring(colon + 1)));
        }
        if (!cpus.keySet().equals(java.util.Set.of("ort-cpu", "sparse-cpu"))) {
            throw new IllegalArgumentException("bench.cpus names ort-cpu and sparse-cpu, got " + cpus.keySet());
        }
        return cpus;
    }

    /**
     * How long after the load began {@code sac} took to move operators off the loaded backend: requests one after
     * another until its plan has fewer operators there than before the load (at most 10 s), then on to
     * {@link #SETTLE_REQUESTS} requests into the load. Printed, and returned for the CSV's notes; a policy that had
     * none there before the load has nothing to move.
     */
    /** Requests of {@code sac} into the load before the phase under load is timed ({@code -Dbench.settleRequests}). */
    static final int SETTLE_REQUESTS = Integer.getInteger("bench.settleRequests", 150);

    private static String reaction(LocalPlatform platform, Model model, Map<String, Tensor> inputs, RunOptions sac,
                                   String loaded, int before, List<org.sparoa.api.DeviceBackend> backends) {
        long start = System.nanoTime();
        int requests = 0;
        int now = before;
        while (before > 0 && now >= before && System.nanoTime() - start < 10_000_000_000L) {
            now = operatorsOn(platform.inference().infer(model.id(), inputs, sac).plan(), loaded);
            requests++;
        }
        double ms = (System.nanoTime() - start) / 1e6;
        String moved = before == 0 ? "nothing on " + loaded + " before the load"
                : now < before ? String.format(Locale.ROOT, "moved %d of %d operators off %s after %d request(s), "
                        + "%.0f ms into the load (states then: %s)", before - now, before, loaded, requests, ms,
                        states(backends))
                : String.format(Locale.ROOT, "still %d operators on %s after %d requests, %.0f ms", now, loaded,
                        requests, ms);
        // then it serves on until SETTLE_REQUESTS into the load before the phase is timed: a first measurement
        // disturbed by the JIT compilers is measured again after 100 requests, as in serving
        int settled = 0;
        for (; requests < SETTLE_REQUESTS; requests++, settled++) {
            now = operatorsOn(platform.inference().infer(model.id(), inputs, sac).plan(), loaded);
        }
        moved += String.format(Locale.ROOT, "; after %d request(s) more (%d into the load), %d operators on %s "
                + "(states then: %s)", settled, requests, now, loaded, states(backends));
        System.out.println("reaction sac: " + moved);
        return "reaction of sac: " + moved;
    }

    /** Each backend's live state as a policy sees it: utilisation, recent slowdown, queue depth. */
    private static String states(List<org.sparoa.api.DeviceBackend> backends) {
        StringBuilder b = new StringBuilder();
        for (org.sparoa.api.DeviceBackend backend : backends) {
            org.sparoa.api.DeviceState s = backend.state();
            b.append(b.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT,
                    "%s utilisation %.2f slowdown %.2f queue %d", backend.id(), s.utilisation(), s.recentSlowdown(),
                    s.queueDepth()));
        }
        return b.toString();
    }

    private static int operatorsOn(PlanDescription plan, String backend) {
        return plan.segments().stream().filter(s -> s.backendId().equals(backend))
                .mapToInt(s -> s.nodeNames().size()).sum();
    }

    /**
     * The contenders timed during the load: all, or those {@code -Dbench.timedDuringLoad} lists (e.g. {@code sac}
     * alone, so that nothing else runs on the loaded backend and its slowdown is forgotten after 3 s, as in serving
     * where only {@code sac}'s requests come).
     */
    private static Map<String, Callable<?>> duringLoad(Map<String, Callable<?>> timed) {
        String only = System.getProperty("bench.timedDuringLoad", "");
        if (only.isBlank()) {
            return timed;
        }
        Map<String, Callable<?>> some = new LinkedHashMap<>();
        for (String name : only.split(",")) {
            Callable<?> c = timed.get(name.trim());
            if (c == null) {
                throw new IllegalArgumentException("bench.timedDuringLoad: no contender '" + name.trim() + "', only "
                        + timed.keySet());
            }
            some.put(name.trim(), c);
        }
        return some;
    }

    /** Per policy, how many of a phase's timed requests ran on each plan ({@link #signature}). */
    private static final Map<String, Map<String, Integer>> PLANS_RUN = new java.util.concurrent.ConcurrentHashMap<>();

    /** A plan in a few words: its backend if it has one segment, else its segments per backend. */
    static String signature(PlanDescription plan) {
        if (plan.segments().size() == 1) {
            return plan.segments().get(0).backendId();
        }
        Map<String, Integer> segments = new java.util.TreeMap<>();
        plan.segments().forEach(s -> segments.merge(s.backendId(), 1, Integer::sum));
        return plan.segments().size() + " segments (" + String.join(" ", segments.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue()).toList()) + ")";
    }

    /** The plans a policy's timed requests ran on in the phase, e.g. {@code sparse-cpu x57; ort-cpu x3}. */
    private static String plansRun(String policy) {
        Map<String, Integer> counts = PLANS_RUN.getOrDefault(policy, Map.of());
        return counts.isEmpty() ? "-" : String.join("; ", counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .map(e -> e.getKey() + " x" + e.getValue()).toList());
    }

    /** The backend that runs most of the plan's operators. */
    private static String mostOperators(PlanDescription plan) {
        Map<String, Integer> ops = new LinkedHashMap<>();
        plan.segments().forEach(s -> ops.merge(s.backendId(), s.nodeNames().size(), Integer::sum));
        return ops.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    /** Times the policies in one phase; returns the plan each ended on. */
    private static Map<String, PlanDescription> phase(String phase, Map<String, Callable<?>> timed, int iterations,
                                                      LocalPlatform platform, Model model, Map<String, Tensor> inputs,
                                                      Map<String, RunOptions> policies,
                                                      List<Map<String, Object>> rows) throws Exception {
        PLANS_RUN.clear();
        Map<String, RoundRobin.Timing> t = RoundRobin.run(timed, Math.max(5, iterations / 3), iterations, 1, 3);
        Map<String, PlanDescription> plans = new LinkedHashMap<>();
        for (Map.Entry<String, RunOptions> p : policies.entrySet()) {
            if (!t.containsKey(p.getKey())) {
                continue; // not timed in this phase (-Dbench.timedDuringLoad)
            }
            PlanDescription plan = platform.inference().infer(model.id(), inputs, p.getValue()).plan();
            plans.put(p.getKey(), plan);
            int onSparse = operatorsOn(plan, "sparse-cpu");
            RoundRobin.Timing timing = t.get(p.getKey());
            String ran = plansRun(p.getKey());
            System.out.printf(Locale.ROOT, "%-7s %-10s p50 %8.3f ms  p90 %8.3f ms  %d segment(s), %d of %d operators "
                    + "on sparse-cpu; requests ran on %s%n", phase, p.getKey(), timing.median(), timing.p90(),
                    plan.segments().size(), onSparse, model.operatorCount(), ran);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("phase", phase);
            r.put("policy", p.getKey());
            r.put("p50_ms", timing.median());
            r.put("p90_ms", timing.p90());
            r.put("segments", plan.segments().size());
            r.put("ops_on_sparse", onSparse);
            r.put("backends", String.join("+", plan.segments().stream().map(SegmentPlan::backendId).distinct()
                    .toList()));
            r.put("plans_run", ran);
            rows.add(r);
        }
        return plans;
    }


    private static void write(List<Map<String, Object>> rows, String setting, String reaction, int iterations)
            throws IOException {
        ResultsCsv.write(Path.of(System.getProperty("bench.out", "results/live-load.csv")), List.of(setting + "; "
                + iterations + " interleaved iterations per phase (3 timed runs per visit), median and p90",
                reaction), rows);
    }
}
