package org.sparoa.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SchedulingPolicy;
import org.sparoa.bench.SimulatedBoardPoints.Point;
import org.sparoa.ml.Networks;
import org.sparoa.policy.greedy.internal.GreedyEarliestFinishPolicy;
import org.sparoa.policy.sac.internal.OfflineTraining;
import org.sparoa.policy.sac.internal.SacPolicy;
import org.sparoa.policy.threshold.internal.QuadrantThresholdPolicy;
import org.sparoa.predictor.internal.LearnedThresholdPredictor;
import org.sparoa.sim.BoardProfile;
import org.sparoa.sim.BoardProfiles;
import org.sparoa.sim.PlanSimulator;
import org.sparoa.sim.RooflineSimulator;
import org.sparoa.sim.SimulatedBackends;
import org.sparoa.sim.SimulatedDevice;
import org.sparoa.sim.SimulatedPlan;

/**
 * The {@code sac} policy on simulated Jetson boards (every time here is SIMULATED by the roofline simulator of
 * {@code org.sparoa.sim}, none is measured): the benchmark models (M-LSD tiny, PP-OCRv3 det, BlazeFace back, PP-OCR
 * cls) pruned to each sparsity are analysed once on this machine (shapes, FLOPs, weight sparsity), each board presents
 * its devices to the policies as {@link SimulatedBackends}, {@code sac} is trained offline on those contexts for a
 * bounded time with a fixed seed ({@link OfflineTraining}: idle and each device loaded x2 and x4, as for the real
 * backends), and then every placement of every point is simulated side by side: each device alone, {@code greedy},
 * {@code threshold} (the predictor's thresholds, the simulated CPU as its sparse device and the GPU as its dense one),
 * {@code sac} (the weights trained here), a seeded random placement, and the oracle (the simulator's exact search over
 * the operator chain, or the best of everything above where that is faster). Prints the table and writes
 * {@code results/sac-simulated.csv}, the weights to {@code results/sac-simulated.weights} and the reward curve to
 * {@code results/sac-simulated-reward-curve.svg}. {@code --evaluate WEIGHTS} skips training.
 *
 * <p>Then the same points under a simulated background load ({@code --loads gpu:2,gpu:4,cpu:2,cpu:4}, device:factor;
 * {@code --loads none} skips it): another application keeps {@code 1 - 1/factor} of one device
 * ({@link RooflineSimulator#withLoad}), which the policies see as the engine shows a loaded backend (utilisation,
 * queue, recent slowdown) while the cost model stays the one measured idle. Priced side by side under the load:
 * {@code greedy}'s plan made before the load (what the engine keeps serving: {@code greedy} does not read live state),
 * {@code greedy} planning again on costs measured under the load (a re-profiling policy), {@code sac} deciding from
 * the live state, each device alone and the oracle. The simulated counterpart of the live-load demonstration, on
 * boards whose CPU and GPU are separate processors. Writes {@code results/sac-simulated-load.csv}.
 *
 * <pre>
 * mvn -B -o -pl bench compile exec:exec -Dbench.main=org.sparoa.bench.SacSimulatedEvaluation \
 *     -Dbench.args="--minutes 10 --seed 42"
 * </pre>
 */
public final class SacSimulatedEvaluation {
    private static final String SIMULATED = "SIMULATED";
    private static final String THRESHOLD_FIXED = "threshold-fixed";

    /** A background load: another application keeps {@code 1 - 1/factor} of {@code device}. */
    private record Load(String device, double factor) {
        static Load parse(String s) {
            String[] parts = s.split(":");
            if (parts.length != 2) {
                throw new IllegalArgumentException("a load is device:factor (gpu:4), got '" + s + "'");
            }
            return new Load(parts[0].trim(), Double.parseDouble(parts[1].trim()));
        }

        @Override
        public String toString() {
            return device + " x" + (factor == Math.rint(factor) ? String.valueOf((long) factor)
                    : String.valueOf(factor));
        }
    }

    private SacSimulatedEvaluation() {
    }

    public static void main(String[] args) throws Exception {
        int minutes = 10;
        long seed = 42;
        List<String> boards = List.of("agx-orin:MAXN", "orin-nano:15W", "agx-orin+npu:MAXN");
        List<Integer> sparsities = List.of(0, 50, 80, 90);
        Path evaluateOnly = null;
        String results = "results/sac-simulated";
        List<Load> loads = List.of(new Load("gpu", 2), new Load("gpu", 4), new Load("cpu", 2), new Load("cpu", 4));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--minutes" -> minutes = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--boards" -> boards = Arrays.stream(args[++i].split(",")).map(String::trim).toList();
                case "--sparsities" -> sparsities = Arrays.stream(args[++i].split(",")).map(String::trim)
                        .map(Integer::parseInt).toList();
                case "--evaluate" -> evaluateOnly = Path.of(args[++i]);
                case "--results" -> results = args[++i];
                case "--loads" -> {
                    String v = args[++i];
                    loads = v.equals("none") ? List.of()
                            : Arrays.stream(v.split(",")).map(String::trim).map(Load::parse).toList();
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; options: --minutes N"
                        + " --seed S --boards B,B --sparsities 0,50,... --evaluate WEIGHTS --results PREFIX"
                        + " --loads gpu:4,cpu:2,...|none");
            }
        }
        List<BoardProfile> profiles = boards.stream().map(BoardProfiles::get).toList();
        List<Point> points = SimulatedBoardPoints.analyse(BenchModels.matching("mlsd,det,blazeface_back,cls"),
                sparsities, profiles);
        LearnedThresholdPredictor predictor = BenchPredictor.load();
        List<SchedulingContext> contexts = points.stream().map(Point::context).toList();

        byte[] weights;
        String weightsNote;
        if (evaluateOnly != null) {
            weights = Files.readAllBytes(evaluateOnly);
            weightsNote = "weights " + evaluateOnly + " (no training)";
        } else {
            Map<String, String> info = new LinkedHashMap<>();
            info.put("command", "SacSimulatedEvaluation --minutes " + minutes + " --seed " + seed + " --boards "
                    + String.join(",", boards));
            info.put("models", "M-LSD tiny, PP-OCRv3 det, BlazeFace back, PP-OCR cls at " + sparsities
                    + " % sparsity");
            info.put("backends", "SIMULATED devices of " + boards + " (roofline simulator; not measured)");
            long start = System.nanoTime();
            OfflineTraining.Outcome out = OfflineTraining.run(Networks.agentsOutsideOsgi(1), contexts, predictor,
                    1_000_000, seed, minutes * 60_000L, 1, info, (done, total, env, ratio) -> {
                        if (done % 100 == 0) {
                            System.out.printf(Locale.ROOT, "episode %d: %s %.3fx%n", done, env, ratio);
                        }
                    }, () -> false);
            weights = out.weights();
            Files.createDirectories(Path.of(results).toAbsolutePath().getParent());
            Files.write(Path.of(results + ".weights"), weights);
            Files.writeString(Path.of(results + "-reward-curve.svg"), out.svg().replace("sac training:",
                    "sac training on SIMULATED boards:"), StandardCharsets.UTF_8);
            weightsNote = String.format(Locale.ROOT, "trained here: %d episodes, %d updates, %.0f s, seed %d; saved"
                    + " to %s.weights (%d bytes)", out.episodes(), out.updates(), (System.nanoTime() - start) / 1e9,
                    seed, results, weights.length);
            System.out.println(weightsNote);
        }

        Path dir = Files.createTempDirectory("sac-simulated");
        Files.write(dir.resolve("sac-v0001.weights"), weights);
        SacPolicy sac = new SacPolicy(Networks.agentsOutsideOsgi(1), dir);
        sac.bindPredictor(predictor);
        QuadrantThresholdPolicy threshold = new QuadrantThresholdPolicy(-1, -1, "", "", true);
        threshold.bindPredictor(predictor);
        Map<String, SchedulingPolicy> policies = new LinkedHashMap<>();
        policies.put("greedy", new GreedyEarliestFinishPolicy());
        policies.put("threshold", threshold);
        // the same rule with the fixed thresholds of the configuration (no predictor): where the predicted thresholds
        // place operators otherwise, this says whether that made the plan faster (issue 13's end-to-end question)
        policies.put(THRESHOLD_FIXED, new QuadrantThresholdPolicy(0.5, 10, "", "", true));
        policies.put("sac", sac);

        List<Map<String, Object>> rows = new ArrayList<>();
        System.out.println(SIMULATED + " plan times (ms, expected values of the roofline simulator; nothing was run):");
        System.out.printf(Locale.ROOT, "%-19s %-15s %4s %9s %9s %9s %9s %9s %9s %9s %9s %9s | %8s %8s %8s %8s%n",
                "board", "model", "sp%", "cpu", "gpu", "npu", "greedy", "threshold", "thr-fixed", "sac", "random",
                "oracle", "greedy/sac", "best/sac", "sac/orcl", "fix/pred");
        List<Map<String, Object>> loadRows = new ArrayList<>();
        try {
            for (Point p : points) {
                rows.add(evaluate(p, policies));
            }
            write(rows, Path.of(results + ".csv"), weightsNote);
            summarise(rows);
            if (!loads.isEmpty()) {
                System.out.println();
                System.out.println(SIMULATED + " plan times under a background load on one device (ms, expected"
                        + " values; the policies see the load in the live state, the cost model is the idle one):");
                System.out.printf(Locale.ROOT, "%-19s %-15s %4s %-7s %9s %9s %9s %9s %9s %9s | %10s %8s %s%n",
                        "board", "model", "sp%", "load", "cpu", "gpu", "greedy0", "greedyR", "sac", "oracle",
                        "greedy0/sac", "sac/orcl", "sac's plan");
                for (Point p : points) {
                    for (Load load : loads) {
                        if (p.devices().stream().anyMatch(d -> d.id().equals(load.device()))) {
                            loadRows.add(evaluateUnderLoad(p, load, policies));
                        }
                    }
                }
                write(loadRows, Path.of(results + "-load.csv"), weightsNote);
                summariseLoads(loadRows);
                // the picture: the first board under the heaviest GPU load asked for (else the first load)
                Load charted = loads.stream().filter(l -> l.device().equals("gpu"))
                        .max(java.util.Comparator.comparingDouble(Load::factor)).orElse(loads.get(0));
                writeLoadChart(loadRows, boards.get(0), charted, Path.of(results + "-load.svg"));
            }
        } finally {
            sac.close();
        }
    }

    private static Map<String, Object> evaluate(Point p, Map<String, SchedulingPolicy> policies) {
        Map<String, Double> ms = new LinkedHashMap<>();
        Map<String, SimulatedPlan> plans = p.singleDevicePlans(p.plans());
        for (Map.Entry<String, SchedulingPolicy> e : policies.entrySet()) {
            try {
                plans.put(e.getKey(), p.plans().simulate(p.backends().devices(e.getValue().place(p.context()))));
            } catch (Exception ex) {
                System.out.println("  " + e.getKey() + " failed on " + p.model() + " at " + p.sparsity() + " %: "
                        + ex.getMessage());
            }
        }
        plans.put("random", p.plans().simulate(random(p, 42)));
        plans.put("oracle", oracle(p.plans(), plans));
        plans.forEach((k, v) -> ms.put(k, v.latency().expectedMillis()));

        double sacMs = ms.getOrDefault("sac", Double.NaN);
        double bestOther = ms.entrySet().stream().filter(e -> !e.getKey().equals("sac") && !e.getKey().equals("oracle")
                && !e.getKey().equals("random") && !e.getKey().equals(THRESHOLD_FIXED))
                .mapToDouble(Map.Entry::getValue).min().orElse(Double.NaN);
        double fixedOverPredicted = ms.getOrDefault(THRESHOLD_FIXED, Double.NaN) / ms.getOrDefault("threshold",
                Double.NaN);
        int placedOtherwise = placedOtherwise(plans.get("threshold"), plans.get(THRESHOLD_FIXED));
        System.out.printf(Locale.ROOT, "%-19s %-15s %4d %9s %9s %9s %9s %9s %9s %9s %9s %9s | %8.3f %8.3f %8.3f"
                        + " %8.3f%n", p.board(), p.model(), p.sparsity(), f(ms, "cpu"), f(ms, "gpu"), f(ms, "npu"),
                f(ms, "greedy"), f(ms, "threshold"), f(ms, THRESHOLD_FIXED), f(ms, "sac"), f(ms, "random"),
                f(ms, "oracle"), ms.getOrDefault("greedy", Double.NaN) / sacMs, bestOther / sacMs,
                sacMs / ms.get("oracle"), fixedOverPredicted);
        if (placedOtherwise > 0) {
            System.out.println("    threshold: " + placedOtherwise + " operators placed otherwise by the predicted"
                    + " thresholds than by the fixed ones");
        }
        for (String k : List.of("greedy", "threshold", THRESHOLD_FIXED, "sac", "oracle")) {
            SimulatedPlan plan = plans.get(k);
            if (plan != null && plan.segments() > 1) {
                System.out.println("    " + k + ": " + plan.segments() + " segments, " + plan.operatorsPerDevice()
                        + ", " + plan.handOverCount() + " hand-overs");
            }
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("board", p.board());
        row.put("model", p.model());
        row.put("sparsity_pct", p.sparsity());
        for (String k : List.of("cpu", "gpu", "npu", "greedy", "threshold", THRESHOLD_FIXED, "sac", "random",
                "oracle")) {
            row.put(k + "_ms_simulated", ms.containsKey(k) ? String.format(Locale.ROOT, "%.4f", ms.get(k)) : "");
            SimulatedPlan plan = plans.get(k);
            row.put(k + "_segments", plan == null ? "" : plan.segments());
        }
        row.put("threshold_ops_placed_otherwise", placedOtherwise);
        row.put("threshold_fixed_over_predicted", fixedOverPredicted);
        row.put("greedy_over_sac", ms.getOrDefault("greedy", Double.NaN) / sacMs);
        row.put("best_other_over_sac", bestOther / sacMs);
        row.put("sac_over_oracle", sacMs / ms.get("oracle"));
        row.put("split_exists", ms.get("oracle") < singleBest(ms) * 0.995);
        return row;
    }

    /**
     * One point under {@code load}: greedy's plan made idle, greedy planning again on the loaded costs, sac deciding
     * from the loaded live state (with the idle cost model, as the engine gives it), each device alone, the oracle.
     */
    private static Map<String, Object> evaluateUnderLoad(Point p, Load load, Map<String, SchedulingPolicy> policies)
            throws Exception {
        RooflineSimulator loadedSim = p.simulator().withLoad(load.device(), load.factor());
        Model model = p.context().model();
        PlanSimulator loaded = new PlanSimulator(loadedSim, model.graph(), p.metrics());
        SchedulingContext loadedNow = new SimulatedBackends(loadedSim, loaded, p.metrics()).context(model, Map.of());
        SchedulingContext seen = new SchedulingContext(model, loadedNow.backends(), loadedNow.options(),
                p.context().costs(), p.context().inputShapes(), p.context().analysis());
        SchedulingContext reprofiled = new SchedulingContext(model, loadedNow.backends(), loadedNow.options(),
                loadedNow.costs(), p.context().inputShapes(), p.context().analysis());
        Map<String, SimulatedPlan> plans = p.singleDevicePlans(loaded);
        SchedulingPolicy greedy = policies.get("greedy");
        Map<String, String> greedyBefore = p.backends().devices(greedy.place(p.context()));
        plans.put("greedy0", loaded.simulate(greedyBefore));
        plans.put("greedyR", loaded.simulate(p.backends().devices(greedy.place(reprofiled))));
        plans.put("sac", loaded.simulate(p.backends().devices(policies.get("sac").place(seen))));
        plans.put("oracle", oracle(loaded, plans));
        Map<String, Double> ms = new LinkedHashMap<>();
        plans.forEach((k, v) -> ms.put(k, v.latency().expectedMillis()));
        double sacMs = ms.get("sac");
        boolean touched = greedyBefore.values().stream().anyMatch(load.device()::equals);
        SimulatedPlan sacPlan = plans.get("sac");
        System.out.printf(Locale.ROOT, "%-19s %-15s %4d %-7s %9s %9s %9s %9s %9s %9s | %10.3f %8.3f %d seg %s%s%n",
                p.board(), p.model(), p.sparsity(), load, f(ms, "cpu"), f(ms, "gpu"), f(ms, "greedy0"),
                f(ms, "greedyR"), f(ms, "sac"), f(ms, "oracle"), ms.get("greedy0") / sacMs, sacMs / ms.get("oracle"),
                sacPlan.segments(), sacPlan.operatorsPerDevice(), touched ? "" : " (greedy's plan avoids the load)");
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("board", p.board());
        row.put("model", p.model());
        row.put("sparsity_pct", p.sparsity());
        row.put("loaded_device", load.device());
        row.put("load_factor", load.factor());
        for (String k : List.of("cpu", "gpu", "npu", "greedy0", "greedyR", "sac", "oracle")) {
            row.put(k + "_ms_simulated", ms.containsKey(k) ? String.format(Locale.ROOT, "%.4f", ms.get(k)) : "");
            SimulatedPlan plan = plans.get(k);
            row.put(k + "_segments", plan == null ? "" : plan.segments());
        }
        row.put("greedy_plan_uses_loaded_device", touched);
        row.put("greedy_before_over_sac", ms.get("greedy0") / sacMs);
        row.put("greedy_replanned_over_sac", ms.get("greedyR") / sacMs);
        row.put("sac_over_oracle", sacMs / ms.get("oracle"));
        row.put("sac_operators_per_device", sacPlan.operatorsPerDevice().toString().replace(',', ';'));
        return row;
    }

    /**
     * A bar chart of one board under one load: per model and sparsity, each device alone, greedy re-planned, sac and
     * the oracle, relative to greedy's plan made before the load (1; lower is faster). SIMULATED in its title.
     */
    private static void writeLoadChart(List<Map<String, Object>> rows, String board, Load load, Path file)
            throws IOException {
        Map<String, Map<String, Double>> groups = new LinkedHashMap<>();
        Map<String, String> contenders = new LinkedHashMap<>();
        contenders.put("cpu", "cpu alone");
        contenders.put("gpu", "gpu alone");
        contenders.put("greedyR", "greedy re-planned");
        contenders.put("sac", "sac");
        contenders.put("oracle", "oracle");
        for (Map<String, Object> r : rows) {
            if (!r.get("board").equals(board) || !r.get("loaded_device").equals(load.device())
                    || (Double) r.get("load_factor") != load.factor()) {
                continue;
            }
            double before = Double.parseDouble((String) r.get("greedy0_ms_simulated"));
            Map<String, Double> bars = new LinkedHashMap<>();
            contenders.forEach((key, label) -> {
                String ms = (String) r.get(key + "_ms_simulated");
                if (ms != null && !ms.isEmpty()) {
                    bars.put(label, Double.parseDouble(ms) / before);
                }
            });
            groups.put(r.get("model") + " " + r.get("sparsity_pct") + " %", bars);
        }
        if (groups.isEmpty()) {
            return;
        }
        Files.writeString(file, LatencyChart.chart(groups, List.copyOf(contenders.values()), SIMULATED + " " + board
                + ", " + load + ": plan time relative to greedy's plan made before the load (lower is faster)", 2.5),
                StandardCharsets.UTF_8);
        System.out.println("wrote " + file);
    }

    /** Per board and load, over the points where greedy's plan uses the loaded device. */
    private static void summariseLoads(List<Map<String, Object>> rows) {
        Map<String, List<Map<String, Object>>> groups = new LinkedHashMap<>();
        rows.forEach(r -> groups.computeIfAbsent(r.get("board") + ", " + r.get("loaded_device") + " x"
                + Math.round((Double) r.get("load_factor")), k -> new ArrayList<>()).add(r));
        groups.forEach((group, rs) -> {
            List<Map<String, Object>> hit = rs.stream().filter(r -> (Boolean) r.get("greedy_plan_uses_loaded_device"))
                    .toList();
            if (hit.isEmpty()) {
                System.out.printf(Locale.ROOT, "%s %s: greedy's plans never use the loaded device (%d points)%n",
                        SIMULATED, group, rs.size());
                return;
            }
            long atTarget = hit.stream().filter(r -> (Double) r.get("greedy_before_over_sac") >= 1.2).count();
            System.out.printf(Locale.ROOT, "%s %s: %d of %d points load greedy's plan; there greedy-before/sac geomean"
                            + " %.3f (min %.3f, max %.3f; >= 1.2 at %d), greedy-replanned/sac geomean %.3f,"
                            + " sac/oracle geomean %.3f (max %.3f)%n", SIMULATED, group, hit.size(), rs.size(),
                    geomean(hit, "greedy_before_over_sac"), min(hit, "greedy_before_over_sac"),
                    max(hit, "greedy_before_over_sac"), atTarget, geomean(hit, "greedy_replanned_over_sac"),
                    geomean(hit, "sac_over_oracle"), max(hit, "sac_over_oracle"));
        });
    }

    /** The simulator's chain search, or the fastest of {@code others} where one beats it. */
    private static SimulatedPlan oracle(PlanSimulator simulator, Map<String, SimulatedPlan> others) {
        SimulatedPlan oracle = simulator.bestChain();
        for (SimulatedPlan other : others.values()) {
            if (other.latency().expected() < oracle.latency().expected()) {
                oracle = other;
            }
        }
        return oracle;
    }

    /** How many operators two plans put on different devices (0 when either is missing). */
    private static int placedOtherwise(SimulatedPlan a, SimulatedPlan b) {
        if (a == null || b == null) {
            return 0;
        }
        int n = 0;
        for (Map.Entry<String, String> e : a.deviceByNode().entrySet()) {
            n += e.getValue().equals(b.deviceByNode().get(e.getKey())) ? 0 : 1;
        }
        return n;
    }

    /** The fastest device alone (each one that runs every operator). */
    private static double singleBest(Map<String, Double> ms) {
        return List.of("cpu", "gpu", "npu").stream().filter(ms::containsKey).mapToDouble(ms::get).min()
                .orElse(Double.NaN);
    }

    /** Each operator on a device that runs it, drawn with {@code seed}. */
    private static Map<String, String> random(Point p, long seed) {
        Random r = new Random(seed);
        Map<String, String> out = new HashMap<>();
        for (Node n : p.context().model().graph().nodes()) {
            List<SimulatedDevice> able = p.devices().stream().filter(d -> d.runs(n.opType())).toList();
            out.put(n.name(), able.get(r.nextInt(able.size())).id());
        }
        return out;
    }

    private static String f(Map<String, Double> ms, String k) {
        return ms.containsKey(k) ? String.format(Locale.ROOT, "%.3f", ms.get(k)) : "-";
    }

    /** Per board: greedy over sac where a split beats every device alone, and sac against the best other policy. */
    private static void summarise(List<Map<String, Object>> rows) {
        Map<String, List<Map<String, Object>>> byBoard = new LinkedHashMap<>();
        rows.forEach(r -> byBoard.computeIfAbsent((String) r.get("board"), k -> new ArrayList<>()).add(r));
        byBoard.forEach((board, rs) -> {
            List<Map<String, Object>> split = rs.stream().filter(r -> (Boolean) r.get("split_exists")).toList();
            System.out.printf(Locale.ROOT, "%s %s: points where a split beats every device alone: %d of %d;"
                            + " greedy/sac there: %s; over all points: greedy/sac geomean %.3f (min %.3f),"
                            + " best other/sac geomean %.3f (min %.3f), sac/oracle geomean %.3f (max %.3f)%n",
                    SIMULATED, board, split.size(), rs.size(), split.isEmpty() ? "n/a"
                            : String.format(Locale.ROOT, "geomean %.3f (min %.3f)", geomean(split, "greedy_over_sac"),
                            min(split, "greedy_over_sac")),
                    geomean(rs, "greedy_over_sac"), min(rs, "greedy_over_sac"), geomean(rs, "best_other_over_sac"),
                    min(rs, "best_other_over_sac"), geomean(rs, "sac_over_oracle"), max(rs, "sac_over_oracle"));
            List<Map<String, Object>> otherwise = rs.stream()
                    .filter(r -> (Integer) r.get("threshold_ops_placed_otherwise") > 0).toList();
            System.out.printf(Locale.ROOT, "%s %s: threshold with predicted thresholds against fixed ones (0.5, 10"
                            + " FLOP/byte): %d of %d points place operators otherwise; there fixed/predicted %s;"
                            + " predicted >= 3 %% faster at %d, > 3 %% slower at %d%n", SIMULATED, board,
                    otherwise.size(), rs.size(), otherwise.isEmpty() ? "n/a" : String.format(Locale.ROOT,
                            "geomean %.3f (min %.3f, max %.3f)", geomean(otherwise, "threshold_fixed_over_predicted"),
                            min(otherwise, "threshold_fixed_over_predicted"),
                            max(otherwise, "threshold_fixed_over_predicted")),
                    otherwise.stream().filter(r -> (Double) r.get("threshold_fixed_over_predicted") >= 1.03).count(),
                    otherwise.stream().filter(r -> (Double) r.get("threshold_fixed_over_predicted") < 1 / 1.03)
                            .count());
        });
    }

    private static double geomean(List<Map<String, Object>> rows, String key) {
        return Math.exp(rows.stream().mapToDouble(r -> Math.log((Double) r.get(key))).average().orElse(Double.NaN));
    }

    private static double min(List<Map<String, Object>> rows, String key) {
        return rows.stream().mapToDouble(r -> (Double) r.get(key)).min().orElse(Double.NaN);
    }

    private static double max(List<Map<String, Object>> rows, String key) {
        return rows.stream().mapToDouble(r -> (Double) r.get(key)).max().orElse(Double.NaN);
    }

    private static void write(List<Map<String, Object>> rows, Path file, String weightsNote) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
            w.println("# " + SIMULATED + ": every *_ms_simulated is an expected value of the roofline simulator"
                    + " (org.sparoa.sim.BoardProfiles: public peak figures, assumed efficiencies and launch costs),"
                    + " not a measurement; models analysed on " + MachineInfo.describe());
            w.println("# sac: " + weightsNote + "; oracle: the simulator's exact chain search or the best plan"
                    + " above, whichever is faster; random: seed 42");
            w.println(String.join(",", rows.get(0).keySet()));
            for (Map<String, Object> r : rows) {
                List<String> cells = new ArrayList<>();
                r.values().forEach(v -> cells.add(v instanceof Double d ? String.format(Locale.ROOT, "%.4f", d)
                        : String.valueOf(v)));
                w.println(String.join(",", cells));
            }
        }
        System.out.println("wrote " + file);
    }
}
