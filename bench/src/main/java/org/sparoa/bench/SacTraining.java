package org.sparoa.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.sparoa.analyzer.internal.CalibratingModelAnalyzer;
import org.sparoa.api.BackendView;
import org.sparoa.api.Model;
import org.sparoa.api.Placement;
import org.sparoa.api.PlanSearch;
import org.sparoa.api.RandomInputs;
import org.sparoa.api.RunOptions;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SchedulingPolicy;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.backend.sparse.internal.SparseCpuBackend;
import org.sparoa.engine.LocalPlatform;
import org.sparoa.ml.Networks;
import org.sparoa.policy.sac.internal.OfflineTraining;
import org.sparoa.predictor.internal.LearnedThresholdPredictor;
import org.sparoa.sim.BoardProfiles;

/**
 * Trains the {@code sac} policy's shipped default weights: profiles the benchmark models (M-LSD tiny, PP-OCRv3 det,
 * BlazeFace back, PP-OCR cls) at 0/50/80/90 % sparsity (pruned here as {@link PolicyBenchmark} does) on the real
 * backends ort-cpu and sparse-cpu with {@link LocalPlatform}, takes the engine's own scheduling context of each
 * (cost model, analysis), and trains with {@link OfflineTraining} (each context idle and with each backend loaded
 * x2 and x4, simulated) for a bounded time with a fixed seed. Writes the weights into the policy bundle's resources,
 * the reward curve to {@code results/sac-reward-curve.svg} and the trained agent's plan time against the reference
 * search per scenario to {@code results/sac-training.csv} ({@code --results PREFIX} changes {@code results/sac}).
 * {@code --evaluate WEIGHTS} only evaluates a weights file (e.g. the shipped default) on the same scenarios and writes
 * {@code results/sac-evaluation.csv}. {@code --simulated-boards agx-orin:MAXN,orin-nano:15W} adds the same models on
 * those simulated boards ({@link SimulatedBoardPoints}: SIMULATED CPU and GPU costs, labelled by board in the scenario
 * names) to the training set, so that the agent also learns devices this machine does not have, as the issue asks of
 * the offline training ("the simulator's device profiles, labelled, for devices that are not present").
 *
 * <pre>
 * mvn -B -o -pl bench compile exec:exec -Dbench.main=org.sparoa.bench.SacTraining \
 *     -Dbench.args="--minutes 8 --seed 42"
 * </pre>
 */
public final class SacTraining {
    /** Records the context the engine hands a cost-aware policy, and answers the search's plan. */
    private static final class ContextRecorder implements SchedulingPolicy {
        final List<SchedulingContext> seen = new ArrayList<>();

        @Override
        public String name() {
            return "sac-training-recorder";
        }

        @Override
        public Placement place(SchedulingContext c) {
            seen.add(c);
            List<BackendView> b = c.backends();
            List<Map<String, String>> starts = new ArrayList<>();
            b.forEach(v -> starts.add(PlanSearch.allOn(c.model().graph(), v)));
            starts.add(PlanSearch.cheapestPerOperator(c.model().graph(), b, c.costs()));
            return new Placement(PlanSearch.best(c.model().graph(), b, c.costs(), starts).placement());
        }
    }

    public static void main(String[] args) throws Exception {
        int minutes = 8;
        long seed = 42;
        int episodes = 1_000_000;
        int threads = 2;
        int stepsPerUpdate = 1;
        List<Integer> sparsities = List.of(0, 50, 80, 90);
        String results = "results/sac";
        Path evaluateOnly = null;
        List<String> simulatedBoards = List.of();
        Path weightsOut = Path.of("../policies/org.sparoa.policy.sac/src/main/resources/org/sparoa/policy/sac/internal"
                + "/sac-default.weights");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--minutes" -> minutes = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--episodes" -> episodes = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--weights" -> weightsOut = Path.of(args[++i]);
                case "--steps-per-update" -> stepsPerUpdate = Integer.parseInt(args[++i]);
                case "--results" -> results = args[++i];
                case "--evaluate" -> evaluateOnly = Path.of(args[++i]);
                case "--simulated-boards" -> simulatedBoards = Arrays.stream(args[++i].split(","))
                        .map(String::trim).filter(b -> !b.isEmpty()).toList();
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; options: --minutes N"
                        + " --seed S --episodes N --threads N --weights FILE --steps-per-update N --results PREFIX"
                        + " --evaluate WEIGHTS --simulated-boards BOARD,BOARD");
            }
        }
        // this order (and the seed) made the shipped weights
        List<BenchModels.Case> cases = BenchModels.matching("mlsd,det,blazeface_back,cls");
        ContextRecorder recorder = new ContextRecorder();
        long profileStart = System.nanoTime();
        SparseCpuBackend sparse = new SparseCpuBackend(threads, SparseCpuBackend.DEFAULT_DENSE_BELOW_SPARSITY);
        try (OrtCpuBackend ort = new OrtCpuBackend("ort-cpu", threads, 1, OrtSpinning.fromProperty());
             LocalPlatform platform = LocalPlatform.withoutMeasuredPlans(ort, sparse)) {
            platform.setAnalyzer(CalibratingModelAnalyzer.standalone(platform.models(), platform.calibrator(),
                    AnalyzerConfigs.withCalibrationRuns(4)));
            platform.addPolicy(recorder, Map.of(SchedulingPolicy.PROP_NEEDS_COSTS, true));
            for (BenchModels.Case c : cases) {
                for (int sp : sparsities) {
                    Path file = BenchModels.atSparsity(c.file(), sp);
                    Model model = platform.models().load(c.name().replace(' ', '-') + "-p" + sp, file);
                    Map<String, Tensor> inputs = RandomInputs.forModel(model, c.shapes(), 42);
                    platform.profiler().profile(model.id(), inputs, false);
                    platform.inference().infer(model.id(), inputs, RunOptions.withPolicy(recorder.name(), Map.of()));
                    System.out.printf(Locale.ROOT, "profiled %s at %d %%: %d operators%n", c.name(), sp,
                            model.operatorCount());
                }
            }
        } finally {
            sparse.close();
        }
        List<SchedulingContext> contexts = new ArrayList<>(recorder.seen);
        if (!simulatedBoards.isEmpty()) {
            SimulatedBoardPoints.analyse(cases, sparsities, simulatedBoards.stream().map(BoardProfiles::get).toList())
                    .forEach(p -> contexts.add(p.labelledContext()));
        }
        double profileSeconds = (System.nanoTime() - profileStart) / 1e9;
        LearnedThresholdPredictor predictor = BenchPredictor.load();
        if (evaluateOnly != null) {
            List<OfflineTraining.Evaluation> evaluations = OfflineTraining.evaluate(Networks.agentsOutsideOsgi(1),
                    Files.readAllBytes(evaluateOnly), contexts, predictor);
            write(evaluations, Path.of(results + "-evaluation.csv"), "SacTraining --evaluate " + evaluateOnly
                    + " (no training)", profileSeconds, 0, 0, 0);
            System.out.println("wrote " + results + "-evaluation.csv");
            return;
        }
        Map<String, String> info = new LinkedHashMap<>();
        info.put("command", "SacTraining --minutes " + minutes + " --seed " + seed + " --steps-per-update "
                + stepsPerUpdate + (simulatedBoards.isEmpty() ? "" : " --simulated-boards "
                + String.join(",", simulatedBoards)));
        info.put("models", "M-LSD tiny, PP-OCRv3 det, BlazeFace back, PP-OCR cls at " + sparsities + " % sparsity");
        info.put("backends", "ort-cpu, sparse-cpu (" + threads + " threads each)" + (simulatedBoards.isEmpty() ? ""
                : "; and the SIMULATED devices of " + simulatedBoards + " (roofline simulator, not measured)"));
        long trainStart = System.nanoTime();
        OfflineTraining.Outcome out = OfflineTraining.run(Networks.agentsOutsideOsgi(1), contexts, predictor,
                episodes, seed, minutes * 60_000L, stepsPerUpdate, info, (done, total, env, ratio) -> {
                    if (done % 100 == 0) {
                        System.out.printf(Locale.ROOT, "episode %d: %s %.3fx%n", done, env, ratio);
                    }
                }, () -> false);
        double trainSeconds = (System.nanoTime() - trainStart) / 1e9;
        Files.createDirectories(weightsOut.toAbsolutePath().getParent());
        Files.write(weightsOut, out.weights());
        Files.createDirectories(Path.of("results"));
        Files.writeString(Path.of(results + "-reward-curve.svg"), out.svg(), StandardCharsets.UTF_8);
        write(out.evaluations(), Path.of(results + "-training.csv"), info.get("command"), profileSeconds, trainSeconds,
                out.episodes(), out.updates());
        System.out.printf(Locale.ROOT, "trained %d episodes (%d updates) in %.0f s; greedy plan / reference: mean %.3f,"
                        + " worst %.3f; weights %s (%d bytes)%n", out.episodes(), out.updates(), trainSeconds,
                out.meanRatio(), out.evaluations().stream().mapToDouble(OfflineTraining.Evaluation::ratio).max()
                        .orElse(Double.NaN), weightsOut, out.weights().length);
    }

    private static void write(List<OfflineTraining.Evaluation> evaluations, Path file, String command,
                              double profileSeconds, double trainSeconds, int episodes, long updates)
            throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
            w.println("# " + MachineInfo.describe());
            w.printf(Locale.ROOT, "# %s: profiling %.0f s, training %.0f s, %d episodes, %d updates; loads are"
                    + " simulated (costs x factor, live state showing it)%n", command, profileSeconds, trainSeconds,
                    episodes, updates);
            w.println("# sac_ms / reference_ms: estimated plan times (PlanCost under the scenario's costs) of the trained"
                    + " agent's greedy plan and of PlanSearch from every single backend and the cheapest per operator;"
                    + " decision_ms: the agent's decision (state encoding + one actor call per operator), one run;"
                    + " idle_plan_ms: the agent's plan for the idle backends priced under this scenario's costs");
            w.println("scenario,operators,sac_ms,reference_ms,ratio,decision_ms,idle_plan_ms");
            for (OfflineTraining.Evaluation e : evaluations) {
                w.printf(Locale.ROOT, "\"%s\",%d,%.4f,%.4f,%.4f,%.2f,%.4f%n", e.environment(), e.operators(),
                        e.agentMillis(), e.referenceMillis(), e.ratio(), e.decisionMillis(), e.idlePlanMillis());
            }
        }
    }

    private SacTraining() {
    }
}
