package org.sparoa.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.sparoa.analyzer.internal.CalibratingModelAnalyzer;
import org.sparoa.api.Model;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.analysis.AnalysisOptions;
import org.sparoa.api.analysis.ModelAnalysis;
import org.sparoa.api.analysis.ModelAnalyzer;
import org.sparoa.api.analysis.OperatorMetrics;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.engine.LocalPlatform;
import org.sparoa.sim.BoardProfile;
import org.sparoa.sim.PlanSimulator;
import org.sparoa.sim.RooflineSimulator;
import org.sparoa.sim.SimulatedBackends;
import org.sparoa.sim.SimulatedDevice;
import org.sparoa.sim.SimulatedPlan;

/**
 * The benchmark models on simulated boards, as policies see them there (every time SIMULATED by the roofline
 * simulator of {@code org.sparoa.sim}): each model pruned to each sparsity is analysed once on this machine (shapes,
 * FLOPs, weight sparsity, on ort-cpu) and presented on each board as {@link SimulatedBackends}, with the simulator that
 * prices its plans.
 */
final class SimulatedBoardPoints {

    /**
     * One point: a model at a sparsity on a board. The context's model id is the model's ({@code M-LSD-tiny-p80});
     * {@link #labelledContext} names the board in it, for training sets that mix boards and real backends.
     */
    record Point(String model, int sparsity, String board, SchedulingContext context, SimulatedBackends backends,
                 PlanSimulator plans, List<SimulatedDevice> devices, RooflineSimulator simulator,
                 Map<String, OperatorMetrics> metrics) {

        /**
         * The context with the model id {@code <board>/<model id>} (same graph, costs and analysis; no ONNX bytes,
         * which no policy reads).
         */
        SchedulingContext labelledContext() {
            Model m = context.model();
            Model named = new Model(board + "/" + m.id(), m.source().orElse(null), m.sha256(), m.graph(), new byte[0]);
            return new SchedulingContext(named, context.backends(), context.options(), context.costs(),
                    context.inputShapes(), context.analysis());
        }

        /** Each device of the board alone, where it runs every operator, priced by {@code simulator}. */
        Map<String, SimulatedPlan> singleDevicePlans(PlanSimulator simulator) {
            Map<String, SimulatedPlan> plans = new LinkedHashMap<>();
            for (SimulatedDevice d : devices) {
                if (context.model().graph().nodes().stream().allMatch(n -> d.runs(n.opType()))) {
                    plans.put(d.id(), simulator.single(d.id()));
                }
            }
            return plans;
        }
    }

    private SimulatedBoardPoints() {
    }

    /** Every model at every sparsity analysed once, presented on every board (model, then sparsity, then board). */
    static List<Point> analyse(List<BenchModels.Case> cases, List<Integer> sparsities, List<BoardProfile> boards)
            throws Exception {
        List<Point> points = new ArrayList<>();
        try (OrtCpuBackend ort = new OrtCpuBackend("ort-cpu", 2, 1, OrtSpinning.fromProperty());
             LocalPlatform platform = LocalPlatform.withoutMeasuredPlans(ort)) {
            ModelAnalyzer analyzer = CalibratingModelAnalyzer.standalone(platform.models(), platform.calibrator(),
                    AnalyzerConfigs.withCalibrationRuns(4));
            for (BenchModels.Case c : cases) {
                for (int sp : sparsities) {
                    Path file = BenchModels.atSparsity(c.file(), sp);
                    Model model = platform.models().load(c.name().replace(' ', '-') + "-p" + sp, file);
                    ModelAnalysis analysis = analyzer.analyze(model.id(),
                            AnalysisOptions.defaults().withShapes(c.shapes()));
                    Map<String, OperatorMetrics> metrics = new HashMap<>();
                    analysis.operators().forEach(o -> metrics.put(o.name(), o));
                    for (BoardProfile b : boards) {
                        RooflineSimulator simulator = new RooflineSimulator(b);
                        PlanSimulator plans = new PlanSimulator(simulator, model.graph(), metrics);
                        SimulatedBackends backends = new SimulatedBackends(simulator, plans, metrics);
                        SchedulingContext bare = backends.context(model, Map.of());
                        SchedulingContext context = new SchedulingContext(model, bare.backends(), bare.options(),
                                bare.costs(), c.shapes(), Optional.of(analysis));
                        points.add(new Point(c.name(), sp, b.name(), context, backends, plans, b.devices(),
                                simulator, Map.copyOf(metrics)));
                    }
                    System.out.printf(Locale.ROOT, "analysed %s at %d %%: %d operators%n", c.name(), sp,
                            model.operatorCount());
                }
            }
        }
        return points;
    }
}
