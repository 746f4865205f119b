package org.sparoa.policy.threshold.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import org.sparoa.analyzer.AnalysisOptions;
import org.sparoa.analyzer.ModelAnalysis;
import org.sparoa.analyzer.ModelAnalyzer;
import org.sparoa.analyzer.Thresholds;
import org.sparoa.api.IslandMerger;
import org.sparoa.api.BackendView;
import org.sparoa.api.DeviceKind;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Placement;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SchedulingPolicy;
import org.sparoa.api.Shapes;
import org.sparoa.api.SparoaException;
import org.sparoa.api.predict.ThresholdPredictor;

/**
 * Policy {@code threshold}: SparOA's quadrant rule ({@link QuadrantRule}) over the analyzer's per-operator
 * sparsity and intensity, then {@link IslandMerger} over the measured cost model. Thresholds: request options
 * {@code sparsity} and {@code intensity}, else the configuration (PID {@value #PID}), else the analyzer's (those
 * of the analysis: a threshold source's, such as the predictor, else the analyzer's configured defaults).
 * Request options {@code sparseBackend}, {@code denseBackend} and {@code mergeIslands} override the configuration
 * too; option {@code shapes} ({@code x=1x3x320x320;...}) gives the analysis the shapes of dynamic inputs.
 *
 * <p>When no threshold is given by the request or the configuration and a {@link ThresholdPredictor} service is
 * present, each operator gets the predictor's own thresholds for the (sparse, dense) backend pair; without the
 * service, or when it fails, the constants above apply (the service can come and go at any time).
 *
 * <p>The analysis is the analyzer's cached one for the model's content, else a new one whose calibration runs are
 * pinned to the dense backend (so that calibrating never asks this policy again). Without an analyzer service the
 * policy throws and the engine falls back. No {@code @Modified}: a configuration change re-registers the service,
 * which drops the engine's cached plans of the old thresholds.
 */
@Component(service = SchedulingPolicy.class, configurationPid = QuadrantThresholdPolicy.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = SchedulingPolicy.PROP_NAME + "=" + QuadrantThresholdPolicy.NAME)
@Designate(ocd = ThresholdConfig.class)
public class QuadrantThresholdPolicy implements SchedulingPolicy {
    public static final String NAME = "threshold";
    public static final String PID = "org.sparoa.policy.threshold";
    private static final Logger LOG = LoggerFactory.getLogger(QuadrantThresholdPolicy.class);

    /** What one decision was based on, for tests and diagnostics. */
    public record Decision(Placement placement, ModelAnalysis analysis, Thresholds thresholds, String sparseBackend,
                           String denseBackend, List<String> sparseLight, List<IslandMerger.Move> merges,
                           Map<String, Thresholds> predicted) {
    }

    private final Settings settings;

    private final AtomicReference<ModelAnalyzer> analyzer = new AtomicReference<>();
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
     * For use outside OSGi: negative thresholds mean the analyzer's defaults, an empty dense backend the automatic
     * choice.
     */
    public QuadrantThresholdPolicy(ModelAnalyzer analyzer, double sparsity, double intensity, String sparseBackend,
                                   String denseBackend, boolean mergeIslands) {
        this.settings = new Settings(sparsity, intensity, sparseBackend, denseBackend, mergeIslands);
        this.analyzer.set(analyzer);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindAnalyzer(ModelAnalyzer a) {
        analyzer.set(a);
    }

    void unbindAnalyzer(ModelAnalyzer a) {
        analyzer.compareAndSet(a, null); // a greedy replacement may already have been bound
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

    /** The placement and what it was based on. */
    public Decision decide(SchedulingContext context) {
        ModelAnalyzer a = analyzer.get();
        if (a == null) {
            throw new SparoaException("policy threshold needs the operator analyzer, and no ModelAnalyzer service is "
                    + "available (install feature sparoa-analyzer)");
        }
        Model model = context.model();
        List<BackendView> live = context.backends();
        String sparseId = option(context, "sparseBackend", settings.sparseBackend());
        BackendView sparse = live.stream().filter(b -> b.id().equals(sparseId)).findFirst()
                .orElseThrow(() -> new SparoaException("policy threshold: sparse backend '" + sparseId
                        + "' is not live; live backends: " + ids(live)));
        BackendView dense = denseBackend(context, sparse);
        ModelAnalysis analysis = analysis(a, model, live, dense, shapes(context));
        // the analysis carries the analyzer's thresholds for this model (a ThresholdSource's, else its defaults)
        Thresholds fromAnalyzer = analysis.thresholds();
        Thresholds thresholds = new Thresholds(
                threshold(context, "sparsity", settings.sparsity(), fromAnalyzer.sparsity()),
                threshold(context, "intensity", settings.intensity(), fromAnalyzer.intensity()));

        Map<String, Thresholds> predicted = predicted(context, analysis, sparse, dense);
        QuadrantRule.Decision rule = QuadrantRule.apply(model.graph().nodes(), analysis, thresholds, predicted, sparse,
                dense, live);
        Map<String, String> placement = new HashMap<>(rule.placement());
        List<IslandMerger.Move> merges = List.of();
        if (Boolean.parseBoolean(option(context, "mergeIslands", Boolean.toString(settings.mergeIslands())))) {
            merges = new IslandMerger(model.graph(), live, context.costs()).merge(placement);
        }
        long onSparse = placement.values().stream().filter(sparse.id()::equals).count();
        LOG.info("threshold: {} with {}: {} sparse-and-light, {} of {} operators on {}, {} island(s) merged",
                model.id(), predicted.isEmpty() ? "s*=" + thresholds.sparsity() + " i*=" + thresholds.intensity()
                        : "the predictor's per-operator thresholds", rule.sparseLight().size(), onSparse,
                model.operatorCount(), sparse.id(), merges.size());
        return new Decision(new Placement(placement), analysis, thresholds, sparse.id(), dense.id(),
                List.copyOf(rule.sparseLight()), merges, Map.copyOf(predicted));
    }

    /**
     * The predictor's per-operator thresholds, or none (the constants apply) when a threshold was given explicitly,
     * no predictor is bound, or it fails.
     */
    private Map<String, Thresholds> predicted(SchedulingContext context, ModelAnalysis analysis, BackendView sparse,
                                              BackendView dense) {
        ThresholdPredictor p = predictor.get();
        boolean explicit = context.doubleOption("sparsity", -1) >= 0 || context.doubleOption("intensity", -1) >= 0
                || settings.sparsity() >= 0 || settings.intensity() >= 0;
        if (p == null || explicit) {
            return Map.of();
        }
        if (!p.ready()) {
            LOG.info("threshold: the threshold predictor is still loading; constant thresholds for {} this time",
                    context.model().id());
            return Map.of();
        }
        try {
            return PredictedThresholds.of(p, context.model().graph().nodes(), analysis, sparse, dense);
        } catch (RuntimeException e) {
            LOG.warn("threshold: the threshold predictor failed on {} ({}); using the constant thresholds",
                    context.model().id(), e.toString());
            return Map.of();
        }
    }

    private ModelAnalysis analysis(ModelAnalyzer a, Model model, List<BackendView> live, BackendView dense,
                                   Map<String, long[]> shapes) {
        Optional<ModelAnalysis> cached = a.cached(model.sha256());
        if (cached.isPresent() && shapes.isEmpty()) {
            return cached.get();
        }
        // calibrate on one backend that runs the whole model, so that calibration never comes back to this policy
        String pin = capableOfAll(dense, model) ? dense.id()
                : live.stream().filter(b -> capableOfAll(b, model)).map(BackendView::id).findFirst().orElse(null);
        try {
            return a.analyze(model.id(), AnalysisOptions.defaults().withShapes(shapes).onBackend(pin));
        } catch (RuntimeException e) {
            throw new SparoaException("policy threshold: analysing " + model.id() + " failed: " + e.getMessage()
                    + " (inputs with dynamic dimensions: give the option shapes=name=1x3x224x224;other=..., or analyse"
                    + " the model first with sparoa:analyze)", e);
        }
    }

    /** Option {@code shapes}: {@code name=1x3x224x224} entries separated by ';'. */
    private static Map<String, long[]> shapes(SchedulingContext context) {
        String v = context.options().get("shapes");
        Map<String, long[]> out = new HashMap<>();
        if (v == null || v.isBlank()) {
            return out;
        }
        for (String entry : v.split(";")) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("policy threshold: option shapes takes name=1x3x224x224 entries "
                        + "separated by ';', got '" + v + "'");
            }
            out.put(entry.substring(0, eq).trim(), Shapes.parse(entry.substring(eq + 1).trim()));
        }
        return out;
    }

    private static boolean capableOfAll(BackendView b, Model model) {
        for (Node n : model.graph().nodes()) {
            if (!b.supports(n)) {
                return false;
            }
        }
        return true;
    }

    /** The named dense backend, else the best-ranked GPU, else ort-cpu, else the best-ranked other backend. */
    private BackendView denseBackend(SchedulingContext context, BackendView sparse) {
        List<BackendView> live = context.backends();
        String named = option(context, "denseBackend", settings.denseBackend());
        if (!named.isEmpty()) {
            return live.stream().filter(b -> b.id().equals(named)).findFirst()
                    .orElseThrow(() -> new SparoaException("policy threshold: dense backend '" + named
                            + "' is not live; live backends: " + ids(live)));
        }
        return live.stream().filter(b -> b.kind() == DeviceKind.GPU && b != sparse).findFirst()
                .or(() -> live.stream().filter(b -> b.id().equals("ort-cpu")).findFirst())
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

    private static List<String> ids(List<BackendView> live) {
        return live.stream().map(BackendView::id).toList();
    }
}
