package org.sparoa.analyzer.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.api.analysis.AnalysisOptions;
import org.sparoa.api.analysis.Calibration;
import org.sparoa.api.analysis.Calibrator;
import org.sparoa.api.analysis.ModelAnalysis;
import org.sparoa.api.analysis.ModelAnalyzer;
import org.sparoa.api.analysis.ThresholdSource;
import org.sparoa.api.analysis.Thresholds;
import org.sparoa.api.Model;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.SparoaException;

/**
 * The {@link ModelAnalyzer}: computes every operator's metrics from a {@link Calibration} (shapes and activation
 * sparsity). For a user's analysis it asks the engine's {@link Calibrator} for the calibration and caches the result
 * per model content (SHA-256) and calibration settings; the planning pipeline hands in its own calibration. Quadrants
 * are recomputed on the way out, so other thresholds cost nothing.
 */
@Component(service = ModelAnalyzer.class, configurationPid = CalibratingModelAnalyzer.PID)
@Designate(ocd = CalibratingModelAnalyzer.Config.class)
public class CalibratingModelAnalyzer implements ModelAnalyzer {
    public static final String PID = "org.sparoa.analyzer";
    private static final Logger LOG = LoggerFactory.getLogger(CalibratingModelAnalyzer.class);

    @ObjectClassDefinition(name = "SparOA operator analyzer")
    public @interface Config {
        @AttributeDefinition(description = "Random calibration inputs per analysis when a request gives no number")
        int calibrationRuns() default 4;

        @AttributeDefinition(description = "Sparsity threshold (fraction of zeros, 0..1) of the quadrants when "
                + "neither the request nor a predictor gives one")
        double sparsityThreshold() default 0.5;

        @AttributeDefinition(description = "Intensity threshold (FLOPs per byte moved) of the quadrants when "
                + "neither the request nor a predictor gives one")
        double intensityThreshold() default 10.0;

        @AttributeDefinition(description = "Analyses kept in memory (per model content and calibration settings)")
        int cacheSize() default 32;
    }

    private final ModelRegistry models;
    /**
     * The engine's calibration, for a user's analysis. Optional and dynamic: the engine binds this analyzer for its
     * planning pipeline, so a mandatory reference back would be a service cycle that DS cannot resolve.
     */
    private volatile Calibrator calibrator;
    private final AnalysisCache cache = new AnalysisCache(32);
    private final ConcurrentHashMap<CalibrationKey, CompletableFuture<ModelAnalysis>> inFlight =
            new ConcurrentHashMap<>();
    private volatile ThresholdSource thresholdSource;
    private volatile int defaultRuns;
    private volatile Thresholds defaultThresholds;

    @Activate
    public CalibratingModelAnalyzer(@Reference ModelRegistry models, Config config) {
        this.models = models;
        modified(config);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void bindCalibrator(Calibrator c) {
        this.calibrator = c;
    }

    public void unbindCalibrator(Calibrator c) {
        synchronized (this) {
            if (this.calibrator == c) {
                this.calibrator = null;
            }
        }
    }

    /**
     * An analyzer outside OSGi (tests, benchmarks) on the engine's calibration ({@code LocalPlatform.calibrator()}).
     * A factory, not a constructor overload, so that callers compile without the DS API on their class path.
     */
    public static CalibratingModelAnalyzer standalone(ModelRegistry models, Calibrator calibrator, Config config) {
        CalibratingModelAnalyzer a = new CalibratingModelAnalyzer(models, config);
        a.bindCalibrator(calibrator);
        return a;
    }

    @Modified
    void modified(Config config) {
        if (config.calibrationRuns() < 0) {
            throw new IllegalArgumentException("calibrationRuns must be 0 or more, got " + config.calibrationRuns());
        }
        Thresholds t = new Thresholds(config.sparsityThreshold(), config.intensityThreshold());
        this.defaultRuns = config.calibrationRuns();
        this.defaultThresholds = t;
        cache.setCapacity(config.cacheSize());
    }

    /** The best-ranked threshold source (the predictor), when one is registered. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void bindThresholdSource(ThresholdSource source) {
        this.thresholdSource = source;
    }

    public void unbindThresholdSource(ThresholdSource source) {
        synchronized (this) {
            if (this.thresholdSource == source) {
                this.thresholdSource = null;
            }
        }
    }

    @Override
    public ModelAnalysis analyze(String modelId, AnalysisOptions options) {
        AnalysisOptions opts = options == null ? AnalysisOptions.defaults() : options;
        Model model = models.require(modelId);
        int runs = runs(opts);
        CalibrationKey key = CalibrationKey.of(model.sha256(), runs, opts);
        Optional<ModelAnalysis> hit = cache.get(key);
        if (hit.isPresent()) {
            ModelAnalysis a = relabel(hit.get(), model.id());
            return a.withThresholds(thresholds(opts, a));
        }
        CompletableFuture<ModelAnalysis> mine = new CompletableFuture<>();
        CompletableFuture<ModelAnalysis> running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            // the same analysis is being computed for another caller (the scheduler and a user, say): share it
            ModelAnalysis shared = join(running);
            ModelAnalysis a = relabel(shared, model.id());
            return a.withThresholds(thresholds(opts, a));
        }
        try {
            // another caller may have finished between the cache miss above and taking the in-flight slot
            ModelAnalysis computed = cache.get(key).orElseGet(() -> compute(model, opts, runs));
            cache.put(key, computed);
            mine.complete(computed);
            return computed.withThresholds(thresholds(opts, computed));
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(key, mine);
        }
    }

    private ModelAnalysis compute(Model model, AnalysisOptions opts, int runs) {
        long start = System.nanoTime();
        Calibrator c = calibrator;
        if (c == null) {
            throw new SparoaException("analysing " + model.id() + " needs the engine's calibration, and no Calibrator "
                    + "service is available (install feature sparoa-core)");
        }
        Calibration calibration = c.calibrate(model.id(), opts.withCalibrationRuns(runs));
        ModelAnalysis computed = fromCalibration(model, calibration, start);
        LOG.info("Analysed {}: {} operators, {} calibration run(s), {} ms", model.id(), computed.operators().size(),
                computed.calibrationRuns(), String.format("%.1f", computed.analysisMillis()));
        return computed;
    }

    @Override
    public ModelAnalysis analyze(Model model, Calibration calibration) {
        ModelAnalysis computed = fromCalibration(model, calibration, System.nanoTime());
        ModelAnalysis labelled = computed.withThresholds(thresholds(AnalysisOptions.defaults(), computed));
        cache.putLatest(model.sha256(), labelled);
        return labelled;
    }

    private ModelAnalysis fromCalibration(Model model, Calibration calibration, long startNanos) {
        ShapeTable shapes = ShapeTable.of(model.graph(), calibration);
        return new GraphAnalysis(model.graph(), shapes, calibration)
                .analyze(model.id(), model.sha256(), defaultThresholds, new ArrayList<>(calibration.notes()), startNanos);
    }

    private static ModelAnalysis join(CompletableFuture<ModelAnalysis> running) {
        try {
            return running.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    @Override
    public Optional<ModelAnalysis> cached(String modelSha256) {
        return cache.latest(modelSha256);
    }

    @Override
    public Optional<ModelAnalysis> cached(String modelId, AnalysisOptions options) {
        AnalysisOptions opts = options == null ? AnalysisOptions.defaults() : options;
        Model model = models.require(modelId);
        return cache.get(CalibrationKey.of(model.sha256(), runs(opts), opts))
                .map(a -> relabel(a, model.id()))
                .map(a -> a.withThresholds(thresholds(opts, a)));
    }

    @Override
    public Thresholds defaultThresholds() {
        return defaultThresholds;
    }

    /** The request's thresholds, else the threshold source's, else the configured ones. */
    private Thresholds thresholds(AnalysisOptions opts, ModelAnalysis analysis) {
        if (opts.thresholds() != null) {
            return opts.thresholds();
        }
        ThresholdSource source = thresholdSource;
        if (source != null) {
            try {
                Optional<Thresholds> t = source.thresholds(analysis);
                if (t != null && t.isPresent()) {
                    return t.get();
                }
            } catch (RuntimeException e) {
                LOG.warn("Threshold source {} failed on {}; using the configured thresholds", source,
                        analysis.modelId(), e);
            }
        }
        return defaultThresholds;
    }

    /** Calibration runs of a request: the configured default when it gives none, at least one per input set. */
    private int runs(AnalysisOptions opts) {
        int runs = opts.calibrationRuns() < 0 ? defaultRuns : opts.calibrationRuns();
        return Math.max(runs, opts.inputSets().size());
    }

    /** A cached analysis of the same content, loaded under another id. */
    private static ModelAnalysis relabel(ModelAnalysis a, String modelId) {
        if (a.modelId().equals(modelId)) {
            return a;
        }
        return new ModelAnalysis(modelId, a.modelSha256(), a.operators(), a.totals(), a.thresholds(),
                a.calibrationRuns(), a.analysisNanos(), a.notes());
    }
}
