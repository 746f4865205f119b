package org.sparoa.engine.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.api.CostModel;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.Model;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.Placement;
import org.sparoa.api.PlanCost;
import org.sparoa.api.PlanDescription;
import org.sparoa.api.PlanSearch;
import org.sparoa.api.RunOptions;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SchedulingPolicy;
import org.sparoa.api.Shapes;
import org.sparoa.api.SparoaException;
import org.sparoa.api.Tensor;
import org.sparoa.api.analysis.AnalysisOptions;
import org.sparoa.api.analysis.ModelAnalysis;
import org.sparoa.api.analysis.ModelAnalyzer;

/**
 * Planning, as one pipeline owned by the engine, each stage a class with one job:
 * <ol>
 *   <li>calibrate ({@link ModelCalibrator}): once per model and input shapes, outside any policy budget;</li>
 *   <li>analyze ({@link ModelAnalyzer}, when installed): every operator's metrics from that calibration;</li>
 *   <li>cost ({@link OperatorCostProfiler}, {@link HandoverProfiler}): per operator per backend, per segment, per
 *       hand-over, measured;</li>
 *   <li>policy ({@link PlacementResolver}): a pure function of the {@link SchedulingContext}, within its budget,
 *       its answer validated;</li>
 *   <li>segment and compile ({@link SegmentCompiler});</li>
 *   <li>measured choice ({@link MeasuredPlanChoice}), for policies that ask for it with
 *       {@link SchedulingPolicy#PROP_MEASURED_CHOICE}: such a policy is asked for its
 *       {@link SchedulingPolicy#candidates candidates}, and the best {@value #MAX_POLICY_CANDIDATES} by
 *       {@link PlanCost} are timed against each single backend.</li>
 * </ol>
 * No stage calls the inference service: the pipeline runs what it needs itself. Plans are cached
 * ({@link PlanCache}); a model that leaves the registry takes its plans and calibrations with it.
 */
final class PlanningPipeline {
    private static final Logger LOG = LoggerFactory.getLogger(PlanningPipeline.class);
    /** Longest warm-up of one plan before the second measurement (the JIT compiling a backend little used so far). */
    static final long REMEASURE_WARMUP_MILLIS = 2000;
    /**
     * Time after which the first measurement stops adding rounds past its minimum: it delays the first request,
     * and the second measurement, warm, decides for good.
     */
    static final long FIRST_BUDGET_MILLIS = 1500;
    /** The same for the second measurement, which runs once per plan key on a request of its own. */
    static final long REMEASURE_BUDGET_MILLIS = 20_000;
    /** Requests after which a first measurement that did not decide is measured again (see {@link #againAfter}). */
    static final int SOON_AFTER = 100;

    /** What the pipeline is configured with. */
    record Settings(String defaultPolicy, long policyTimeoutMillis, boolean measuredChoice, int measuredRuns,
                    int remeasureAfter, int calibrationRuns, long maxInputElements, boolean wholeModelCalibration) {
    }

    /**
     * Most of a policy's candidates timed by the measured choice (its plan included), besides the single backends;
     * more are ranked by {@link PlanCost} and cut, so that the first request's measurement stays bounded.
     */
    static final int MAX_POLICY_CANDIDATES = 5;

    /**
     * A compiled plan, the policy's other valid candidates (not compiled yet), the cost model it was given, and the
     * plans the cost calibration timed on this request's inputs while building it.
     */
    private record Built(ExecutionPlan plan, List<Placement> alternatives, CostModel costs, EarlierRounds earlier) {
    }

    /** A calibrated and analysed model, for one set of input shapes. */
    private record Prepared(org.sparoa.api.analysis.Calibration calibration, Optional<ModelAnalysis> analysis) {
    }

    private final ModelRegistry models;
    private final PluginRegistry<DeviceBackend> backends;
    private final PluginRegistry<SchedulingPolicy> policies;
    private final PlanCache plans;
    private final SegmentCompiler compiler;
    private final ModelCalibrator calibrator;
    private final WholeModelCalibration wholeModel;
    private final OperatorCostProfiler profiler;
    private final HandoverProfiler handovers = new HandoverProfiler();
    private final PlacementResolver resolver;
    private final Map<PreparedKey, Prepared> prepared = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<PreparedKey, Prepared> eldest) {
                    return size() > 64;
                }
            });
    /** Requests served by each measured plan's key, up to its second measurement. */
    private final ConcurrentHashMap<PlanKey, MeasuredUses> measuredUses = new ConcurrentHashMap<>();
    /** Models, shapes and backend sets whose costs a second measurement has made again, warm: once for all policies. */
    private final java.util.Set<PreparedKey> warmedCosts = ConcurrentHashMap.newKeySet();
    private volatile ModelAnalyzer analyzer;
    private volatile Settings settings;

    PlanningPipeline(ModelRegistry models, PluginRegistry<DeviceBackend> backends,
                     PluginRegistry<SchedulingPolicy> policies, PlanCache plans, OperatorCostProfiler profiler,
                     PlacementResolver resolver, Settings settings) {
        this.models = models;
        this.backends = backends;
        this.policies = policies;
        this.plans = plans;
        this.profiler = profiler;
        this.resolver = resolver;
        this.compiler = new SegmentCompiler(backends);
        this.calibrator = new ModelCalibrator(compiler);
        this.wholeModel = new WholeModelCalibration(compiler);
        this.settings = settings;
    }

    void configure(Settings s) {
        this.settings = s;
    }

    Settings settings() {
        return settings;
    }

    void setAnalyzer(ModelAnalyzer a) {
        this.analyzer = a;
        prepared.clear();
    }

    void unsetAnalyzer(ModelAnalyzer a) {
        if (analyzer == a) {
            analyzer = null;
            prepared.clear();
        }
    }

    /** A model left the registry: its plans and calibrations go. */
    void forget(Model model) {
        plans.evictKeys(k -> k.model() == model);
        prepared.keySet().removeIf(k -> k.model() == model);
        measuredUses.keySet().removeIf(k -> k.model() == model);
        warmedCosts.removeIf(k -> k.model() == model);
        wholeModel.forget(model);
    }

    /** The calibration stage on its own, for a user's analysis ({@code sparoa:analyze}). */
    org.sparoa.api.analysis.Calibration calibrate(Model model, AnalysisOptions options) {
        List<LiveBackendView> views = views(model, backends.live());
        int runs = Math.max(options.calibrationRuns(), options.inputSets().size());
        return calibrator.calibrate(model, views, options, runs, settings.maxInputElements()).calibration();
    }

    /** The boundary cost of each live backend, as the cost model takes it out of the operators' measurements. */
    Map<String, org.sparoa.api.BoundaryCost> boundaryCosts() {
        Map<String, org.sparoa.api.BoundaryCost> out = new java.util.TreeMap<>();
        backends.live().forEach(r -> out.put(r.key(), handovers.of(r.service())));
        return out;
    }

    /** Profiles every operator of a model on the live backends, on the tensors of one calibration run. */
    List<org.sparoa.api.OperatorProfiler.Measurement> profile(Model model, Map<String, Tensor> inputs,
                                                              boolean remeasure) {
        List<Ranked<DeviceBackend>> live = backends.live();
        ModelCalibrator.Run run = calibrator.calibrate(model, views(model, live),
                AnalysisOptions.defaults().withInputSets(List.of(inputs)), 1, settings.maxInputElements());
        if (run.firstRunTensors().isEmpty()) {
            throw new SparoaException("cannot profile " + model.id() + ": " + String.join("; ",
                    run.calibration().notes()));
        }
        return profiler.profile(model, run.firstRunTensors(), live, remeasure);
    }

    /**
     * The plan of a request, from the cache or built now. {@code inputs}: the request's (null for a plan query,
     * which then calibrates on random inputs and is never measured). {@code mayMeasure}: false on a retry after the
     * backends changed under a request, which then runs the policy's plan as placed.
     */
    ExecutionPlan planFor(Model model, RunOptions options, Map<String, Tensor> inputs, boolean mayMeasure) {
        return planFor(model, options, inputs, mayMeasure, true);
    }

    /**
     * As {@link #planFor(Model, RunOptions, Map, boolean)}; {@code countsAsUse} false for a run that is not a user's
     * request (the engine's warm-up of its request path), which does not bring a measured plan's second measurement
     * nearer.
     */
    ExecutionPlan planFor(Model model, RunOptions options, Map<String, Tensor> inputs, boolean mayMeasure,
                          boolean countsAsUse) {
        Settings s = settings;
        PluginRegistry.Snapshot<DeviceBackend> now = backends.snapshot();
        List<Ranked<DeviceBackend>> live = now.live();
        String policyName = options.policy() != null ? options.policy() : s.defaultPolicy();
        Optional<Ranked<SchedulingPolicy>> policy = policies.get(policyName);
        // a policy never installed is a mistake of the request; one that is away (its bundle stopped or being
        // updated) is planned by the fallback until it is back, so that its requests keep being served
        if (options.policy() != null && options.backend() == null && policy.isEmpty()
                && !options.policy().equals(SchedulingPolicy.FIRST_CAPABLE)
                && !policies.wasRegistered(options.policy())) {
            throw new SparoaException("unknown policy '" + options.policy() + "'; installed: "
                    + policies.live().stream().map(Ranked::key).toList());
        }
        boolean pinned = options.backend() != null;
        // a plan is measured against single backends only where there are inputs to measure it on; one built without
        // (a plan() query) is kept apart, so that it never stands in for a measured one
        boolean measured = s.measuredChoice() && mayMeasure && !pinned && inputs != null
                && !options.captureIntermediates()
                && policy.map(p -> p.flag(SchedulingPolicy.PROP_MEASURED_CHOICE)).orElse(false);
        PlanKey key = new PlanKey(model, now.key(), pinned ? null : policyName,
                pinned ? -1L : policy.map(Ranked::serviceId).orElse(-1L),
                pinned ? "" : policy.map(PolicyVersion::of).orElse(""), options.backend(), options.policyOptions(),
                options.captureIntermediates(), measured,
                !pinned && policy.map(p -> p.flag(SchedulingPolicy.PROP_LIVE_STATE)).orElse(false)
                        ? LoadClasses.of(live) : "");
        boolean second = measured && countsAsUse && isSecondMeasurement(key, now.key(), model, policyName, s);
        // the first second measurement of a model, shapes and backend set makes the costs again, warm; the other
        // policies' second measurements use them
        boolean warmAgain = second && warmedCosts.add(new PreparedKey(model, shapesKey(inputs), now.key()));
        // the first measurement keeps the first request short: one warm-up run, up to 4x the runs where the plans are
        // close; the second decides for good: every plan warmed, three times the runs, up to 12x where they are close
        MeasuredPlanChoice.Schedule schedule = !measured ? null : second
                ? new MeasuredPlanChoice.Schedule(3 * s.measuredRuns(), 12 * s.measuredRuns(), REMEASURE_WARMUP_MILLIS,
                        REMEASURE_BUDGET_MILLIS)
                : new MeasuredPlanChoice.Schedule(s.measuredRuns(), 4 * s.measuredRuns(), 0, FIRST_BUDGET_MILLIS);
        ExecutionPlan built = plans.getOrBuild(key, () -> {
            if (!key.loadClasses().isEmpty()) {
                // a policy that reads live state gets a plan per load class: say which, since a class change
                // re-plans the model
                LOG.info("Planning {} by {} for the backends' load classes {}", model.id(), policyName,
                        key.loadClasses());
            }
            List<LiveBackendView> views = views(model, live);
            if (warmAgain && s.wholeModelCalibration()) {
                // the second measurement plans from costs calibrated warm, not from the first request's cold timing
                wholeModel.recalibrate(model, now.key());
            }
            Built b = build(model, views, live, now.key(), policy.orElse(null), policyName, options, inputs, s,
                    measured, warmAgain);
            if (!measured) {
                return b.plan();
            }
            MeasuredPlanChoice.Choice c = measureCandidates(b, model, views, inputs, schedule);
            MeasuredUses uses = measuredUses.get(key);
            if (!second && uses != null) {
                uses.againAfter = againAfter(uses.againAfter, c.decided());
            }
            return c.plan();
        });
        // a backend that left while the plan was being built was removed before the plan reached the cache, so the
        // removal could not evict it: it must not serve this request or later ones
        List<String> gone = departedBackends(built);
        if (!gone.isEmpty()) {
            plans.evict(p -> p == built);
            throw new BackendDepartedException("backend(s) " + gone + " left while the plan of " + model.id()
                    + " was being built", null);
        }
        return built;
    }

    private boolean isSecondMeasurement(PlanKey key, String backendSet, Model model, String policyName, Settings s) {
        if (s.remeasureAfter() <= 0) {
            return false;
        }
        if (measuredUses.size() > 64) {
            // a key holds its model: drop those of replaced or unloaded models and of backend sets gone
            measuredUses.keySet().removeIf(k -> !k.backendSet().equals(backendSet)
                    || models.get(k.model().id()).orElse(null) != k.model());
        }
        if (measuredUses.size() > 4096) {
            measuredUses.clear(); // at worst a plan is measured a third time
        }
        MeasuredUses uses = measuredUses.computeIfAbsent(key, k -> new MeasuredUses(s.remeasureAfter()));
        int served = uses.count.incrementAndGet() - 1;
        if (served < uses.againAfter || !uses.measuredAgain.compareAndSet(false, true)) {
            return false;
        }
        // exactly once per key: this request rebuilds the plan and measures the candidates again, warm
        LOG.info("Measuring the plan of {} by {} again after {} requests", model.id(), policyName, served);
        plans.evictKeys(key::equals);
        return true;
    }

    /**
     * Requests of a measured plan's key so far, after how many its plan is measured again, and whether it has been.
     * {@code againAfter} starts at the setting {@code remeasureAfterRequests} and drops to {@link #SOON_AFTER} where
     * the first measurement's rounds ended without telling the kept plan from the runner-up.
     */
    private static final class MeasuredUses {
        final AtomicInteger count = new AtomicInteger();
        final AtomicBoolean measuredAgain = new AtomicBoolean();
        volatile int againAfter;

        MeasuredUses(int againAfter) {
            this.againAfter = againAfter;
        }
    }

    /**
     * After how many requests a plan is measured again: {@code configured}, or sooner ({@link #SOON_AFTER}) where the
     * first measurement did not decide (a choice within the noise, e.g. made while the machine ran slow, when ONNX
     * Runtime slows about 2x and the Java kernels about 1.1x, or while the JIT compilers were busy,
     * {@link MeasuredPlanChoice#jitBusy}).
     */
    static int againAfter(int configured, boolean decided) {
        return decided ? configured : Math.min(configured, SOON_AFTER);
    }

    private Built build(Model model, List<LiveBackendView> views, List<Ranked<DeviceBackend>> live,
                        String backendSet, Ranked<SchedulingPolicy> policy, String policyName,
                        RunOptions options, Map<String, Tensor> inputs, Settings s, boolean candidates,
                        boolean warmAgain) {
        if (options.backend() != null || policy == null) {
            // pinned, or the built-in policy (or a policy not installed): nothing to calibrate, analyse or price
            ResolvedPlacement placement = resolver.resolve(model, views, policy == null ? null : policy.service(),
                    policyName, options, s.policyTimeoutMillis(),
                    new SchedulingContext(model, List.copyOf(views), options.policyOptions()));
            return new Built(compiler.compile(model, views, placement.placement(), placement.policy(),
                    placement.fallbackReason(), options.captureIntermediates()), List.of(), CostModel.NONE,
                    EarlierRounds.NONE);
        }
        ModelCalibrator.Run[] run = {null};
        Prepared p = prepare(model, views, backendSet, inputs, s, run);
        CostModel costs = CostModel.NONE;
        EarlierRounds earlier = EarlierRounds.NONE;
        if (policy.flag(SchedulingPolicy.PROP_NEEDS_COSTS)) {
            // the second, warm measurement profiles the operators again: a first profile taken while the JIT was
            // still compiling the Java kernels prices them unevenly, which a whole-model factor cannot undo
            if (warmAgain || !profiler.isProfiled(model, live, p.calibration())) {
                Map<String, Tensor> tensors = run[0] != null ? run[0].firstRunTensors() : Map.of();
                if (tensors.isEmpty() && p.calibration().runs() > 0) {
                    // calibrated earlier (another backend set, or the first request): one more run for the tensors
                    // to profile on
                    tensors = calibrator.calibrate(model, views, calibrationOptions(model, inputs, p), 1,
                            s.maxInputElements()).firstRunTensors();
                }
                if (!tensors.isEmpty()) {
                    LOG.info("Profiling {} on {} for policy {}{}", model.id(), backendSet, policyName,
                            warmAgain ? " again, warm" : "");
                    profiler.profile(model, tensors, live, warmAgain);
                }
            }
            costs = profiler.costModel(model, p.calibration(), handovers.of(views));
            if (s.wholeModelCalibration() && p.calibration().runs() > 0) {
                Map<String, long[]> shapes = p.calibration().inputShapes();
                WholeModelCalibration.Calibrated c = wholeModel.calibrate(model, views, shapesKeyOf(shapes),
                        backendSet, costs, inputs != null ? inputs : org.sparoa.api.RandomInputs.forModel(model,
                                shapes, 42, s.maxInputElements()));
                costs = c.costs();
                // timed on this request's inputs: its measured choice starts from those rounds
                earlier = inputs != null ? c.rounds() : EarlierRounds.NONE;
            }
        }
        SchedulingContext context = new SchedulingContext(model, List.copyOf(views), options.policyOptions(), costs,
                p.calibration().inputShapes(), p.analysis());
        ResolvedPlacement placement = resolver.resolve(model, views, policy.service(), policyName, options,
                s.policyTimeoutMillis(), context, candidates);
        ExecutionPlan plan = compiler.compile(model, views, placement.placement(), placement.policy(),
                placement.fallbackReason(), options.captureIntermediates());
        if (Boolean.parseBoolean(options.policyOptions().get(PlanDescription.EXPLAIN))
                && placement.fallbackReason() == null) {
            plan = plan.explained(explanation(policy.service(), policyName, context));
        }
        return new Built(plan, placement.alternatives(), costs, earlier);
    }

    /** The policy's explanation of its plan; a failure to explain is told, never fails the request. */
    private static List<String> explanation(SchedulingPolicy policy, String policyName, SchedulingContext context) {
        try {
            return policy.explain(context);
        } catch (Exception | LinkageError e) {
            LOG.warn("Policy {} could not explain its plan: {}", policyName, e.toString());
            return List.of("policy '" + policyName + "' could not explain its plan: " + e);
        }
    }

    /** Calibration and analysis of a model for the request's input shapes, made once and cached. */
    private Prepared prepare(Model model, List<LiveBackendView> views, String backendSet, Map<String, Tensor> inputs,
                             Settings s, ModelCalibrator.Run[] madeNow) {
        PreparedKey key = new PreparedKey(model, shapesKey(inputs), backendSet);
        Prepared hit = prepared.get(key);
        if (hit != null) {
            return hit;
        }
        AnalysisOptions opts = calibrationOptions(model, inputs, null);
        ModelCalibrator.Run run;
        try {
            run = calibrator.calibrate(model, views, opts, Math.max(1, s.calibrationRuns()), s.maxInputElements());
        } catch (org.sparoa.api.InvalidInputException e) {
            if (inputs != null) {
                throw e;
            }
            // a plan query on a model with dynamic inputs: the shapes its requests had most recently, where there
            // were requests (the plan they were served), else nothing to calibrate on: the policy decides without
            Prepared recent = mostRecentWithInputs(model, backendSet);
            return recent != null ? recent : new Prepared(
                    org.sparoa.api.analysis.Calibration.none("not calibrated: " + e.getMessage()), Optional.empty());
        }
        madeNow[0] = run;
        Optional<ModelAnalysis> analysis = Optional.empty();
        ModelAnalyzer a = analyzer;
        if (a != null) {
            try {
                analysis = Optional.of(a.analyze(model, run.calibration()));
            } catch (RuntimeException e) {
                LOG.warn("The analyzer failed on {}; policies get no analysis: {}", model.id(), e.toString());
            }
        }
        Prepared p = new Prepared(run.calibration(), analysis);
        prepared.put(key, p);
        return p;
    }

    /** The preparation of the model's most recently planned request on this backend set, null if none. */
    private Prepared mostRecentWithInputs(Model model, String backendSet) {
        Prepared found = null;
        synchronized (prepared) {
            // access order: the last match is the most recent
            for (Map.Entry<PreparedKey, Prepared> e : prepared.entrySet()) {
                PreparedKey k = e.getKey();
                if (k.model() == model && k.backendSet().equals(backendSet) && !k.shapes().isEmpty()) {
                    found = e.getValue();
                }
            }
        }
        return found;
    }

    private static AnalysisOptions calibrationOptions(Model model, Map<String, Tensor> inputs, Prepared known) {
        if (inputs != null) {
            return AnalysisOptions.defaults().withInputSets(List.of(inputs));
        }
        return known == null ? AnalysisOptions.defaults()
                : AnalysisOptions.defaults().withShapes(known.calibration().inputShapes());
    }

    private static String shapesKey(Map<String, Tensor> inputs) {
        if (inputs == null) {
            return "";
        }
        Map<String, long[]> shapes = new HashMap<>();
        inputs.forEach((k, v) -> shapes.put(k, v.shape()));
        return shapesKeyOf(shapes);
    }

    /** {@code name=AxBxC;} per input, in name order. */
    private static String shapesKeyOf(Map<String, long[]> shapes) {
        StringBuilder b = new StringBuilder();
        new java.util.TreeMap<>(shapes).forEach((k, v) -> b.append(k).append('=').append(Shapes.format(v)).append(';'));
        return b.toString();
    }

    /**
     * The policy's plan, one of its other candidates, or the whole model on one backend: whichever measured fastest
     * on the request's inputs (see {@link MeasuredPlanChoice}). Backends that cannot run every operator are not
     * candidates; nor are the policy's candidates on one backend (the single backends are timed anyway), nor those
     * past the best {@value #MAX_POLICY_CANDIDATES} by {@link PlanCost}. The choice's plan is the one to cache,
     * credited to the policy.
     */
    private MeasuredPlanChoice.Choice measureCandidates(Built built, Model model, List<LiveBackendView> views,
                                            Map<String, Tensor> inputs, MeasuredPlanChoice.Schedule schedule) {
        ExecutionPlan proposed = built.plan();
        String only = proposed.backendIds().size() == 1 ? proposed.backendIds().iterator().next() : null;
        List<MeasuredPlanChoice.Candidate> others = new ArrayList<>();
        String policyName = proposed.description().policy();
        List<Placement> splits = built.alternatives().stream()
                .filter(p -> p.backendByNode().values().stream().distinct().count() > 1)
                .sorted(java.util.Comparator.comparingDouble(p -> PlanCost.millis(model.graph(), p.backendByNode(),
                        built.costs())))
                .limit(MAX_POLICY_CANDIDATES - 1L).toList();
        if (splits.size() < built.alternatives().size()) {
            LOG.debug("{} of {} candidate(s) of {} for {} are not timed (one backend, or past the best {})",
                    built.alternatives().size() - splits.size(), built.alternatives().size(), policyName, model.id(),
                    MAX_POLICY_CANDIDATES);
        }
        for (int i = 0; i < splits.size(); i++) {
            Placement alt = splits.get(i);
            PlanCost.Estimate e = PlanCost.of(model.graph(), alt.backendByNode(), built.costs());
            others.add(new MeasuredPlanChoice.Candidate(policyName + " candidate " + (i + 2) + " (" + e.segments()
                    + " segment(s) on " + new java.util.TreeSet<>(alt.backendByNode().values()) + ", "
                    + estimated(e) + ")", () -> compiler.compile(model, views, alt, policyName, null, false),
                    alt.backendByNode(), e.segments()));
        }
        for (LiveBackendView v : views) {
            Map<String, String> all = PlanSearch.allOn(model.graph(), v);
            if (v.id().equals(only) || all == null) {
                continue;
            }
            others.add(new MeasuredPlanChoice.Candidate(v.id() + " alone (" + estimated(PlanCost.of(model.graph(),
                    all, built.costs())) + ")",
                    () -> compiler.wholeModelOn(model, views, v.id(), proposed.description().policy()), all, 1));
        }
        Map<String, String> placed = new HashMap<>();
        proposed.segments().forEach(sg -> sg.segment().nodes().forEach(n -> placed.put(n.name(), sg.backendId())));
        String label = proposed.description().policy() + " (" + proposed.segments().size() + " segment(s) on "
                + proposed.backendIds() + ", " + estimated(PlanCost.of(model.graph(), placed, built.costs())) + ")";
        Function<ExecutionPlan, Object> runOnce = p -> p.isSequential()
                ? PlanExecutor.runInline(p, inputs, false, Cancellation.NONE)
                : PlanExecutor.run(p, inputs, false, Cancellation.NONE).join();
        MeasuredPlanChoice.Choice c;
        try {
            c = MeasuredPlanChoice.choose(proposed, placed, label, others, schedule, runOnce, built.earlier());
        } catch (RuntimeException e) {
            List<String> gone = departedBackends(proposed);
            proposed.retire();
            if (!gone.isEmpty()) {
                // the engine's promise: a backend that leaves mid-request gets the request re-planned, measuring too
                throw new BackendDepartedException("backend(s) " + gone + " left while the plan of " + model.id()
                        + " was being measured", e);
            }
            throw e;
        }
        if (c.reason() == null) {
            return c;
        }
        String previous = proposed.description().fallbackReason();
        // the policy's explanation of its own decisions stays with the plan that replaced its plan: sparoa:schedule
        // --explain then shows both what the policy decided and why the measured choice kept another plan
        return new MeasuredPlanChoice.Choice(c.plan().relabelled(proposed.description().policy(),
                previous == null ? c.reason() : previous + "; " + c.reason())
                .explained(proposed.description().explanation()), c.reason(), c.decided());
    }

    /** A plan's cost-model estimate for the measured choice's log: total, and what its boundaries add. */
    private static String estimated(PlanCost.Estimate e) {
        return String.format(java.util.Locale.ROOT, "estimated %.3f ms, boundaries %.3f ms", e.totalMillis(),
                e.segmentMillis() + e.handoverMillis());
    }

    /** The plan's backends that are no longer the live instance of their id; empty (no list made) where none left. */
    List<String> departedBackends(ExecutionPlan plan) {
        List<String> gone = List.of(); // every request asks: nothing allocated while all are live
        for (Map.Entry<String, DeviceBackend> b : plan.backends().entrySet()) {
            if (!backends.isLive(b.getKey(), b.getValue())) {
                if (gone.isEmpty()) {
                    gone = new ArrayList<>();
                }
                gone.add(b.getKey());
            }
        }
        return gone;
    }

    private static List<LiveBackendView> views(Model model, List<Ranked<DeviceBackend>> live) {
        return live.stream().map(r -> new LiveBackendView(r, model.graph())).toList();
    }
}
