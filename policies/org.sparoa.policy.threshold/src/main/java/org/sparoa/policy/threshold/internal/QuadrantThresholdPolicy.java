package org.sparoa.policy.threshold.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.api.analysis.ModelAnalysis;
import org.sparoa.api.analysis.Thresholds;
import org.sparoa.api.IslandMerger;
import org.sparoa.api.BackendView;
import org.sparoa.api.DeviceKind;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Placement;
import org.sparoa.api.PlanCost;
import org.sparoa.api.PlanSearch;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SchedulingPolicy;
import org.sparoa.api.SparoaException;
import org.sparoa.api.predict.ThresholdPredictor;

/**
 * Policy {@code threshold}: SparOA's quadrant rule ({@link QuadrantRule}) over the per-operator sparsity and
 * intensity of the analysis the engine's planning pipeline hands in ({@link SchedulingContext#analysis()}), then
 * {@link IslandMerger} over the measured cost model (operators, segments and hand-overs); when the cost model says
 * the whole model on one backend is cheaper than the rule's split, that is the answer. Thresholds: request options
 * {@code sparsity} and {@code intensity}, else the configuration (PID {@value #PID}), else the analysis's (a threshold
 * source's, such as the predictor, else the analyzer's configured defaults). Request options {@code sparseBackend},
 * {@code denseBackend} and {@code mergeIslands} override the configuration too. Without an analysis (no analyzer
 * installed) the policy throws and the engine falls back. No {@code @Modified}: a configuration change re-registers
 * the service, which drops the engine's cached plans of the old thresholds.
 *
 * <p>When no threshold is given by the request or the configuration and a {@link ThresholdPredictor} service is
 * present (and ready), each operator gets the predictor's own thresholds for the (sparse, dense) backend pair;
 * without the service, or when it fails, the thresholds above apply (the service can come and go at any time).
 */
@Component(service = SchedulingPolicy.class, configurationPid = QuadrantThresholdPolicy.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = {SchedulingPolicy.PROP_NAME + "=" + QuadrantThresholdPolicy.NAME,
                SchedulingPolicy.PROP_MEASURED_CHOICE + ":Boolean=true"})
@Designate(ocd = ThresholdConfig.class)
public class QuadrantThresholdPolicy implements SchedulingPolicy {
    public static final String NAME = "threshold";
    public static final String PID = "org.sparoa.policy.threshold";
    /** The service properties of the component, for use outside OSGi ({@code LocalPlatform.addPolicy}). */
    public static final Map<String, Object> SERVICE_PROPERTIES = Map.of(SchedulingPolicy.PROP_NEEDS_COSTS, true,
            SchedulingPolicy.PROP_MEASURED_CHOICE, true);
    private static final Logger LOG = LoggerFactory.getLogger(QuadrantThresholdPolicy.class);

    /** What one decision was based on, for tests and diagnostics. */
    public record Decision(Placement placement, ModelAnalysis analysis, Thresholds thresholds, String sparseBackend,
                           String denseBackend, List<String> sparseLight, List<IslandMerger.Move> merges,
                           Map<String, Thresholds> predicted, String thresholdSource) {
    }

    /** Per-operator thresholds from the predictor, or none with the reason the constants apply. */
    private record Predicted(Map<String, Thresholds> thresholds, String source) {
    }

    private final Settings settings;

    private final AtomicReference<ThresholdPredictor> predictor = new AtomicReference<>();

    private record Settings(double sparsity, double intensity, String sparseBackend, String denseBackend,
                            boolean mergeIslands) {
    }

    @Activate
    public QuadrantThresholdPolicy(ThresholdConfig config) {
        this.settings = new Settings(config.sparsity(), config.intensity(), config.sparseBackend(),
                config.denseBackend(), config.mergeIslands());
    }

    /**
     * For use outside OSGi: negative thresholds mean the analysis's, an empty dense backend the automatic choice.
     */
    public QuadrantThresholdPolicy(double sparsity, double intensity, String sparseBackend, String denseBackend,
                                   boolean mergeIslands) {
        this.settings = new Settings(sparsity, intensity, sparseBackend, denseBackend, mergeIslands);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void bindPredictor(ThresholdPredictor p) {
        predictor.set(p);
    }

    public void unbindPredictor(ThresholdPredictor p) {
        predictor.compareAndSet(p, null);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Placement place(SchedulingContext context) {
        return decide(context).placement();
    }

    /**
     * The rule's plan, then, where the predictor's thresholds made it, the plan of the constant thresholds (when it
     * differs and is a split), then the cheapest plans of at most {@link PlanSearch#FEW_SEGMENTS} segments by the
     * cost model that differ from them ({@link PlanSearch#candidates}): the quadrant rule sees operators, not what a
     * whole ONNX Runtime session saves, so the engine times a few plans with few cut points too and keeps the fastest.
     */
    @Override
    public List<Placement> candidates(SchedulingContext context) {
        Decision d = decide(context);
        List<Map<String, String>> out = new java.util.ArrayList<>(PlanSearch.candidates(context.model().graph(),
                context.backends(), context.costs(), d.placement().backendByNode(), PlanSearch.FEW_SEGMENTS));
        if (!d.predicted().isEmpty()) {
            // a learned model can be wrong on a model it never saw: the constant thresholds' plan is timed too, so
            // that the measured choice can keep it where it runs faster
            Map<String, String> constant = placeWith(context, d.analysis(), d.thresholds(), Map.of(),
                    live(context, d.sparseBackend()).orElseThrow(), live(context, d.denseBackend()).orElseThrow())
                    .placement();
            if (!out.contains(constant) && constant.values().stream().distinct().count() > 1) {
                out.add(1, constant);
            }
        }
        return out.stream().map(Placement::new).toList();
    }

    /** The placement and what it was based on. */
    public Decision decide(SchedulingContext context) {
        Model model = context.model();
        ModelAnalysis analysis = context.analysis().orElseThrow(() -> new SparoaException("policy threshold needs "
                + "the operator analysis, and the engine has none (install feature sparoa-analyzer)"));
        List<BackendView> live = context.backends();
        String sparseId = option(context, "sparseBackend", settings.sparseBackend());
        BackendView sparse = live(context, sparseId).orElseThrow(() -> new SparoaException(
                "policy threshold: sparse backend '" + sparseId + "' is not live; live backends: " + ids(live)));
        BackendView dense = denseBackend(context, sparse);
        // the analysis carries the analyzer's thresholds for this model (a ThresholdSource's, else its defaults)
        Thresholds fromAnalyzer = analysis.thresholds();
        Thresholds thresholds = new Thresholds(
                threshold(context, "sparsity", settings.sparsity(), fromAnalyzer.sparsity()),
                threshold(context, "intensity", settings.intensity(), fromAnalyzer.intensity()));

        Predicted fromPredictor = predicted(context, analysis, sparse, dense);
        Map<String, Thresholds> predicted = fromPredictor.thresholds();
        Placed placed = placeWith(context, analysis, thresholds, predicted, sparse, dense);
        long onSparse = placed.placement().values().stream().filter(sparse.id()::equals).count();
        LOG.info("threshold: {} with {}: {} sparse-and-light, {} of {} operators on {}, {} island(s) merged",
                model.id(), predicted.isEmpty() ? "s*=" + thresholds.sparsity() + " i*=" + thresholds.intensity()
                        : "the predictor's per-operator thresholds", placed.sparseLight().size(), onSparse,
                model.operatorCount(), sparse.id(), placed.merges().size());
        return new Decision(new Placement(placed.placement()), analysis, thresholds, sparse.id(), dense.id(),
                placed.sparseLight(), placed.merges(), Map.copyOf(predicted), fromPredictor.source());
    }

    /** The rule's placement for the given thresholds, with its islands merged when configured. */
    private record Placed(Map<String, String> placement, List<String> sparseLight, List<IslandMerger.Move> merges) {
    }

    private Placed placeWith(SchedulingContext context, ModelAnalysis analysis, Thresholds thresholds,
                             Map<String, Thresholds> predicted, BackendView sparse, BackendView dense) {
        List<BackendView> live = context.backends();
        QuadrantRule.Decision rule = QuadrantRule.apply(context.model().graph().nodes(), analysis, thresholds,
                predicted, sparse, dense, live);
        Map<String, String> placement = new HashMap<>(rule.placement());
        List<IslandMerger.Move> merges = List.of();
        if (Boolean.parseBoolean(option(context, "mergeIslands", Boolean.toString(settings.mergeIslands())))) {
            merges = new IslandMerger(context.model().graph(), live, context.costs()).merge(placement);
            placement = cheaperSingleBackend(context, placement);
        }
        return new Placed(placement, List.copyOf(rule.sparseLight()), merges);
    }

    /**
     * For {@code sparoa:schedule --explain}: where the thresholds came from (the predictor, or the constants and
     * why), how many operators the rule found sparse and light, the islands merged, and per operator on the sparse
     * backend the numbers that put it there (the first {@value #EXPLAINED_OPERATORS}).
     */
    @Override
    public List<String> explain(SchedulingContext context) {
        Decision d = decide(context);
        List<String> lines = new java.util.ArrayList<>();
        lines.add("thresholds: " + d.thresholdSource());
        lines.add(String.format(java.util.Locale.ROOT, "rule: %d of %d operators sparse and light -> %s, the rest "
                        + "-> %s; %d island(s) merged; %d operator(s) placed on %s", d.sparseLight().size(),
                context.model().operatorCount(), d.sparseBackend(), d.denseBackend(), d.merges().size(),
                d.placement().backendByNode().values().stream().filter(d.sparseBackend()::equals).count(),
                d.sparseBackend()));
        var metrics = new java.util.HashMap<String, org.sparoa.api.analysis.OperatorMetrics>();
        d.analysis().operators().forEach(m -> metrics.put(m.name(), m));
        int shown = 0;
        for (String op : d.sparseLight()) {
            if (shown++ == EXPLAINED_OPERATORS) {
                lines.add("... " + (d.sparseLight().size() - EXPLAINED_OPERATORS) + " more sparse-and-light operator(s)");
                break;
            }
            Thresholds t = d.predicted().getOrDefault(op, d.thresholds());
            var m = metrics.get(op);
            lines.add(String.format(java.util.Locale.ROOT, "%s: sparsity %.2f >= s* %.2f, intensity %.2f < i* %.2f",
                    op, m == null ? Double.NaN : m.sparsity().orElse(Double.NaN), t.sparsity(),
                    m == null ? Double.NaN : m.intensity().orElse(Double.NaN), t.intensity()));
        }
        return lines;
    }

    static final int EXPLAINED_OPERATORS = 20;

    /**
     * The predictor's per-operator thresholds, or none (the constants apply) when a threshold was given explicitly,
     * no predictor is bound, or it fails.
     */
    private Predicted predicted(SchedulingContext context, ModelAnalysis analysis, BackendView sparse,
                                BackendView dense) {
        ThresholdPredictor p = predictor.get();
        Thresholds constant = analysis.thresholds();
        String constants = String.format(java.util.Locale.ROOT, "constant s*=%s i*=%s",
                threshold(context, "sparsity", settings.sparsity(), constant.sparsity()),
                threshold(context, "intensity", settings.intensity(), constant.intensity()));
        if (context.doubleOption("sparsity", -1) >= 0 || context.doubleOption("intensity", -1) >= 0) {
            return new Predicted(Map.of(), constants + " (given by the request)");
        }
        if (settings.sparsity() >= 0 || settings.intensity() >= 0) {
            return new Predicted(Map.of(), constants + " (configured in " + PID + ")");
        }
        if (p == null) {
            return new Predicted(Map.of(), constants + " (no threshold predictor installed)");
        }
        if (!p.ready()) {
            LOG.info("threshold: the threshold predictor is still loading; constant thresholds for {} this time",
                    context.model().id());
            return new Predicted(Map.of(), constants + " (the threshold predictor is still loading)");
        }
        try {
            return new Predicted(PredictedThresholds.of(p, context.model().graph().nodes(), analysis, sparse, dense),
                    "per operator from the threshold predictor");
        } catch (RuntimeException e) {
            LOG.warn("threshold: the threshold predictor failed on {} ({}); using the constant thresholds",
                    context.model().id(), e.toString());
            return new Predicted(Map.of(), constants + " (the threshold predictor failed: " + e + ")");
        }
    }

    /** The rule's placement, or the whole model on one backend where the cost model prices that lower. */
    private static Map<String, String> cheaperSingleBackend(SchedulingContext context, Map<String, String> placement) {
        var graph = context.model().graph();
        Map<String, String> best = placement;
        double bestMillis = PlanCost.millis(graph, placement, context.costs());
        for (BackendView b : context.backends()) {
            Map<String, String> all = PlanSearch.allOn(graph, b);
            if (all != null) {
                double ms = PlanCost.millis(graph, all, context.costs());
                if (ms < bestMillis) {
                    best = all;
                    bestMillis = ms;
                }
            }
        }
        return best;
    }

    /** The named dense backend, else the best-ranked GPU, else ort-cpu, else the best-ranked other backend. */
    private BackendView denseBackend(SchedulingContext context, BackendView sparse) {
        List<BackendView> live = context.backends();
        String named = option(context, "denseBackend", settings.denseBackend());
        if (!named.isEmpty()) {
            return live(context, named).orElseThrow(() -> new SparoaException(
                    "policy threshold: dense backend '" + named + "' is not live; live backends: " + ids(live)));
        }
        return live.stream().filter(b -> b.kind() == DeviceKind.GPU && b != sparse).findFirst()
                .or(() -> live(context, "ort-cpu"))
                .or(() -> live.stream().filter(b -> b != sparse).findFirst())
                .orElseThrow(() -> new SparoaException("policy threshold needs a dense backend besides " + sparse.id()
                        + "; live backends: " + ids(live)));
    }

    private static double threshold(SchedulingContext context, String key, double configured, double analyzerDefault) {
        double fromOption = context.doubleOption(key, -1);
        return fromOption >= 0 ? fromOption : configured >= 0 ? configured : analyzerDefault;
    }

    private static String option(SchedulingContext context, String key, String configured) {
        String v = context.options().get(key);
        return v != null && !v.isBlank() ? v.trim() : configured == null ? "" : configured.trim();
    }

    /** The live backend of that id, if any. */
    private static java.util.Optional<BackendView> live(SchedulingContext context, String id) {
        return context.backends().stream().filter(b -> b.id().equals(id)).findFirst();
    }

    private static List<String> ids(List<BackendView> live) {
        return live.stream().map(BackendView::id).toList();
    }
}
