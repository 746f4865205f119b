package org.sparoa.engine.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.api.CostModel;
import org.sparoa.api.ForwardingCostModel;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Placement;
import org.sparoa.api.PlanCost;
import org.sparoa.api.PlanSearch;
import org.sparoa.api.SteadyRounds;
import org.sparoa.api.Tensor;

/**
 * The cost stage's second half: scales each backend's operator costs so that the whole model on that backend costs
 * what it measures. Operator costs are measured one operator at a time, and their sum misses what running the
 * operators together does, differently per backend and model: ONNX Runtime fuses operators and keeps its threads
 * busy between them, the Java kernels keep their working set in the caches, so the sum over a whole model was 1.5-3x
 * its measured time on one backend and about right on the other, and which one depended on the model (first
 * requests of 2026-12-06: PP-OCRv3 det at 90 %, measured over estimated 0.6 on {@code ort-cpu} and 0.33 on
 * {@code sparse-cpu}; BlazeFace back at 0 %, 0.51 and 1.14). A policy comparing the two backends operator by operator
 * then compares numbers off by different factors, and its plans were split into 10-30 segments that measured
 * 1.3-2.8x slower than one backend alone. Here every backend that runs the whole model is timed on it (the
 * request's inputs, side by side in alternating rounds, slow-spell rounds left out: {@link SteadyRounds}), and its
 * operator costs are multiplied by measured over estimated, less its one segment's fixed cost. Timed in the same
 * rounds, the two cheapest plans of two segments with cuts apart ({@link #cheapestSplits}) say what a boundary
 * costs inside a running plan: the same runs of 2026-12-06 put the splits' measured time 0.2-2.6 ms per boundary above
 * their estimates on M-LSD, PP-OCRv3 det and BlazeFace (the probe of {@link HandoverProfiler}, an {@code Identity}
 * run alone, prices a boundary at 0.02-0.08 ms), so that difference is added to every segment's cost
 * ({@link CostModel#segmentMillis}); the smaller of the two splits' differences, because one split timed slow (a
 * 7.79 ms timing of a split estimated at 4.56 ms, 4.45 ms in the next run) priced every boundary of a model at 3.2 ms,
 * after which no split could win. A backend that cannot run every operator keeps its operator costs as they are.
 * Once per model instance, input shapes and backend set; a failure to time leaves the costs as they are. The rounds
 * it timed go to the same request's measured choice ({@link Calibrated#rounds}), which then need not time those plans
 * again.
 */
final class WholeModelCalibration {
    private static final Logger LOG = LoggerFactory.getLogger(WholeModelCalibration.class);
    /** Factors are kept within these bounds: outside them the measurement, not the cost model, is suspect. */
    static final double MIN_FACTOR = 0.05;
    static final double MAX_FACTOR = 20;
    /** Untimed runs of each whole-model plan before the rounds, at most this long each. */
    static final long WARMUP_MILLIS = 150;
    /** Alternating rounds; each visit settles ({@link MeasuredPlanChoice#settle}) and then times three runs. */
    static final int ROUNDS = 5;
    /** Rounds after the first start only while the rounds so far took less than this (a model of a second a run). */
    static final long BUDGET_NANOS = 1_500_000_000L;

    /**
     * Times plans side by side in alternating rounds: per plan, one visit's nanoseconds per round (every plan once a
     * round, so that round {@code k} of each plan fell in the same stretch of time).
     */
    interface Timer {
        List<List<Long>> time(List<ExecutionPlan> plans, Function<ExecutionPlan, Object> runOnce);
    }

    private final SegmentCompiler compiler;
    private final Timer timer;
    /**
     * What one calibration found: per backend the factor of its operator costs, and the time a segment boundary
     * adds inside a running plan beyond what the cost model prices.
     */
    record Factors(Map<String, Double> operators, double boundaryMillis) {
        static final Factors NONE = new Factors(Map.of(), 0);

        boolean isEmpty() {
            return operators.isEmpty() && boundaryMillis == 0;
        }
    }

    private final Map<PreparedKey, Factors> factors = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<PreparedKey, Factors> eldest) {
                    return size() > 64;
                }
            });
    /**
     * The costs to plan with, and the rounds in which this call timed the whole model and the split on its inputs
     * ({@link EarlierRounds#NONE} where the factors were known already or the timing failed): the same request's
     * measured choice starts from them.
     */
    record Calibrated(CostModel costs, EarlierRounds rounds) {
    }

    WholeModelCalibration(SegmentCompiler compiler) {
        this(compiler, WholeModelCalibration::time);
    }

    WholeModelCalibration(SegmentCompiler compiler, Timer timer) {
        this.compiler = compiler;
        this.timer = timer;
    }

    /**
     * {@code raw} with each whole-model-capable backend's operator costs scaled to its measured whole-model time;
     * measured on the first call for this model, shapes and backend set, on {@code inputs}.
     */
    Calibrated calibrate(Model model, List<LiveBackendView> views, String shapes, String backendSet, CostModel raw,
                         Map<String, Tensor> inputs) {
        PreparedKey key = new PreparedKey(model, shapes, backendSet);
        Factors f = factors.get(key);
        EarlierRounds rounds = EarlierRounds.NONE;
        if (f == null) {
            Measured m = measure(model, views, raw, inputs);
            f = m.factors();
            rounds = m.rounds();
            factors.put(key, f);
        }
        return new Calibrated(f.isEmpty() ? raw : new Scaled(raw, f.operators(), f.boundaryMillis()), rounds);
    }

    /**
     * The model's factors for this backend set go, so that the next costs-reading plan measures them again: the
     * engine's second, warm measurement of a plan does this, because the first request's calibration may time the
     * Java kernels before the JIT has compiled them, and one slow timing of the split would price every boundary for
     * good.
     */
    void recalibrate(Model model, String backendSet) {
        synchronized (factors) {
            factors.keySet().removeIf(k -> k.model() == model && k.backendSet().equals(backendSet));
        }
    }

    /** A model left the registry: its factors go. */
    void forget(Model model) {
        synchronized (factors) {
            factors.keySet().removeIf(k -> k.model() == model);
        }
    }

    /** The factors in use for this model, shapes and backend set ({@link Factors#NONE} when not measured). */
    Factors factors(Model model, String shapes, String backendSet) {
        return factors.getOrDefault(new PreparedKey(model, shapes, backendSet), Factors.NONE);
    }

    /** What one timing found, and its rounds ({@link EarlierRounds#NONE} where nothing was timed). */
    private record Measured(Factors factors, EarlierRounds rounds) {
        static final Measured NOTHING = new Measured(Factors.NONE, EarlierRounds.NONE);
    }

    /** The factors from timing the whole model and the split on {@code inputs}, with the rounds timed. */
    private Measured measure(Model model, List<LiveBackendView> views, CostModel raw, Map<String, Tensor> inputs) {
        List<String> ids = new ArrayList<>();
        Map<String, PlanCost.Estimate> whole = new HashMap<>();
        List<ExecutionPlan> plans = new ArrayList<>();
        List<Map<String, String>> placements = new ArrayList<>();
        try {
            for (LiveBackendView v : views) {
                Map<String, String> all = PlanSearch.allOn(model.graph(), v);
                if (all != null) {
                    plans.add(compiler.compile(model, views, new Placement(all), "calibration", null, false));
                    placements.add(all);
                    ids.add(v.id());
                    whole.put(v.id(), PlanCost.of(model.graph(), all, raw));
                }
            }
            if (plans.isEmpty()) {
                return Measured.NOTHING;
            }
            List<Map<String, String>> splits = new ArrayList<>();
            for (Map<String, String> split : cheapestSplits(model.graph(), views, raw)) {
                try {
                    plans.add(compiler.compile(model, views, new Placement(split), "calibration", null, false));
                    placements.add(split);
                    splits.add(split);
                } catch (RuntimeException e) {
                    // without a split the operators are still scaled; boundaries keep the probe's price
                    LOG.debug("A split of {} not timed: {}", model.id(), e.toString());
                }
            }
            List<List<Long>> visits = timer.time(plans, p -> p.isSequential()
                    ? PlanExecutor.runInline(p, inputs, false, Cancellation.NONE)
                    : PlanExecutor.run(p, inputs, false, Cancellation.NONE).join());
            double[] measured = medianMillis(visits);
            Map<Map<String, String>, List<Long>> byPlacement = new HashMap<>();
            for (int i = 0; i < placements.size(); i++) {
                byPlacement.put(Map.copyOf(placements.get(i)), List.copyOf(visits.get(i)));
            }
            Map<String, Double> operators = factors(ids, measured, whole, 0);
            double boundary = 0;
            StringBuilder splitNote = new StringBuilder();
            for (int i = 0; i < splits.size(); i++) {
                PlanCost.Estimate e = PlanCost.of(model.graph(), splits.get(i), new Scaled(raw, operators, 0));
                double excess = boundaryMillis(measured[ids.size() + i], e);
                boundary = i == 0 ? excess : Math.min(boundary, excess);
                splitNote.append(String.format(Locale.ROOT, "; a %d-segment plan measured %.3f ms, estimated %.3f ms",
                        e.segments(), measured[ids.size() + i], e.totalMillis()));
            }
            if (!splits.isEmpty()) {
                if (boundary > 0) {
                    operators = factors(ids, measured, whole, boundary);
                }
                splitNote.append(String.format(Locale.ROOT, ": %.3f ms more per boundary", boundary));
            }
            StringBuilder log = new StringBuilder();
            for (int i = 0; i < ids.size(); i++) {
                log.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT,
                        "%s measured %.3f ms, estimated %.3f ms: operator costs x%.3f", ids.get(i), measured[i],
                        whole.get(ids.get(i)).totalMillis(), operators.getOrDefault(ids.get(i), Double.NaN)));
            }
            LOG.info("Costs of {} calibrated on the whole model: {}{}", model.id(), log, splitNote);
            return new Measured(new Factors(Map.copyOf(operators), boundary), new EarlierRounds(byPlacement));
        } catch (RuntimeException e) {
            LOG.warn("Operator costs of {} left unscaled: timing the whole model failed: {}", model.id(),
                    e.toString());
            return Measured.NOTHING;
        } finally {
            plans.forEach(ExecutionPlan::retire);
        }
    }

    /** Each backend's factor from its whole-model time, a segment costing {@code boundaryMillis} more. */
    private static Map<String, Double> factors(List<String> ids, double[] measured,
                                               Map<String, PlanCost.Estimate> whole, double boundaryMillis) {
        Map<String, Double> out = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            double f = factor(measured[i] - boundaryMillis, whole.get(ids.get(i)));
            if (!Double.isNaN(f)) {
                out.put(ids.get(i), f);
            }
        }
        return out;
    }

    /**
     * What each boundary of a measured split adds beyond its estimate (operators already scaled): measured less
     * estimated, over its cuts; 0 where the split measured no slower than estimated or has one segment.
     */
    static double boundaryMillis(double measuredMillis, PlanCost.Estimate estimate) {
        if (estimate.segments() < 2 || !(measuredMillis > estimate.totalMillis())) {
            return 0;
        }
        return (measuredMillis - estimate.totalMillis()) / (estimate.segments() - 1);
    }

    /**
     * Up to two plans of exactly two segments, the cheapest first by {@code costs}: the operators before a position
     * (in the graph's order) on one backend, the rest on another, over every position and ordered pair of backends
     * that can run their part. The second is the cheapest other one whose backends differ or whose cut lies at least
     * a tenth of the operators away, so that the two are timed on different boundaries; empty where there is none.
     */
    static List<Map<String, String>> cheapestSplits(org.sparoa.api.Graph graph,
                                                    List<? extends org.sparoa.api.BackendView> backends,
                                                    CostModel costs) {
        List<Node> nodes = graph.nodes();
        List<Cut> cuts = new ArrayList<>();
        for (org.sparoa.api.BackendView a : backends) {
            for (org.sparoa.api.BackendView b : backends) {
                if (a == b) {
                    continue;
                }
                // prefixes a can run: up to the first operator it cannot; suffixes b can run: from the last
                int prefix = 0;
                while (prefix < nodes.size() && a.supports(nodes.get(prefix))) {
                    prefix++;
                }
                int suffix = nodes.size();
                while (suffix > 0 && b.supports(nodes.get(suffix - 1))) {
                    suffix--;
                }
                for (int cut = Math.max(1, suffix); cut <= Math.min(prefix, nodes.size() - 1); cut++) {
                    double ms = PlanCost.millis(graph, placement(nodes, a.id(), b.id(), cut), costs);
                    cuts.add(new Cut(a.id(), b.id(), cut, ms));
                }
            }
        }
        cuts.sort(java.util.Comparator.comparingDouble(Cut::millis));
        if (cuts.isEmpty()) {
            return List.of();
        }
        Cut first = cuts.get(0);
        int apart = Math.max(1, nodes.size() / 10);
        for (Cut c : cuts) {
            if (!c.first().equals(first.first()) || !c.second().equals(first.second())
                    || Math.abs(c.position() - first.position()) >= apart) {
                return List.of(first.placement(nodes), c.placement(nodes));
            }
        }
        return List.of(first.placement(nodes));
    }

    /** A two-segment plan ({@link #placement}) and its estimate. */
    private record Cut(String first, String second, int position, double millis) {
        Map<String, String> placement(List<Node> nodes) {
            return WholeModelCalibration.placement(nodes, first, second, position);
        }
    }

    /** The operators before {@code position} on {@code first}, the rest on {@code second}. */
    private static Map<String, String> placement(List<Node> nodes, String first, String second, int position) {
        Map<String, String> p = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            p.put(nodes.get(i).name(), i < position ? first : second);
        }
        return p;
    }

    /**
     * Measured over estimated for the operators alone ({@code measured} less the one segment's fixed cost, over the
     * operators' estimate), within [{@link #MIN_FACTOR}, {@link #MAX_FACTOR}]; NaN where the estimate has no operator
     * time or prices an operator it cannot ({@link PlanCost#UNKNOWN_OPERATOR_MILLIS}).
     */
    static double factor(double measuredMillis, PlanCost.Estimate estimate) {
        double ops = estimate.operatorMillis();
        if (!(ops > 0) || ops >= PlanCost.UNKNOWN_OPERATOR_MILLIS || !(measuredMillis > 0)) {
            return Double.NaN;
        }
        double own = Math.max(measuredMillis - estimate.segmentMillis(), 0.1 * measuredMillis);
        return Math.max(MIN_FACTOR, Math.min(MAX_FACTOR, own / ops));
    }

    /** Each plan's median over the steady rounds ({@link SteadyRounds}), in milliseconds. */
    static double[] medianMillis(List<List<Long>> visits) {
        List<List<Long>> steady = SteadyRounds.keep(visits);
        double[] out = new double[visits.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = MeasuredPlanChoice.median(steady.get(i)) / 1e6;
        }
        return out;
    }

    /**
     * Each plan warmed, then timed in alternating rounds (up to {@link #ROUNDS} within {@link #BUDGET_NANOS}): per plan
     * its visits' nanoseconds, one per round.
     */
    static List<List<Long>> time(List<ExecutionPlan> plans, Function<ExecutionPlan, Object> runOnce) {
        List<List<Long>> nanos = new ArrayList<>();
        for (ExecutionPlan p : plans) {
            MeasuredPlanChoice.warmUntilSteady(p, runOnce, WARMUP_MILLIS);
            nanos.add(new ArrayList<>());
        }
        long roundsStart = System.nanoTime();
        for (int round = 0; round < ROUNDS && (round == 0 || System.nanoTime() - roundsStart < BUDGET_NANOS);
             round++) {
            for (int k = 0; k < plans.size(); k++) {
                ExecutionPlan p = plans.get((k + round) % plans.size());
                if (plans.size() > 1) {
                    MeasuredPlanChoice.settle(() -> runOnce.apply(p), 0, () -> 0L);
                }
                nanos.get((k + round) % plans.size()).add(MeasuredPlanChoice.timedVisit(() -> runOnce.apply(p)));
            }
        }
        return nanos;
    }

    /**
     * A cost model whose operator costs on some backends are multiplied by a factor and whose segments cost
     * {@code boundaryMillis} more each; hand-overs and sizes as the inner model's.
     */
    static final class Scaled extends ForwardingCostModel {
        private final Map<String, Double> factors;
        private final double boundaryMillis;

        Scaled(CostModel inner, Map<String, Double> factors, double boundaryMillis) {
            super(inner);
            this.factors = Map.copyOf(factors);
            this.boundaryMillis = boundaryMillis;
        }

        @Override
        public OptionalDouble operatorMillis(String backendId, Node node) {
            OptionalDouble ms = inner().operatorMillis(backendId, node);
            Double f = factors.get(backendId);
            return ms.isPresent() && f != null ? OptionalDouble.of(ms.getAsDouble() * f) : ms;
        }

        @Override
        public double segmentMillis(String backendId) {
            return inner().segmentMillis(backendId) + boundaryMillis;
        }
    }
}
