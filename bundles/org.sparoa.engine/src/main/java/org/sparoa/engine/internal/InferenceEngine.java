package org.sparoa.engine.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
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
import org.sparoa.api.BackendException;
import org.sparoa.api.CompiledSegment;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.InferenceService;
import org.sparoa.api.Model;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.PlanObserver;
import org.sparoa.api.OperatorProfiler;
import org.sparoa.api.PlanDescription;
import org.sparoa.api.RequestCancelledException;
import org.sparoa.api.RunOptions;
import org.sparoa.api.Placement;
import org.sparoa.api.SchedulingPolicy;
import org.sparoa.api.SparoaException;
import org.sparoa.api.Tensor;
import org.sparoa.api.analysis.AnalysisOptions;
import org.sparoa.api.analysis.Calibration;
import org.sparoa.api.analysis.Calibrator;
import org.sparoa.api.analysis.ModelAnalyzer;
import org.sparoa.engine.ResourceLimits;

/**
 * The {@link InferenceService}: validates and admits a request, gets its plan from the {@link PlanningPipeline}
 * (calibrate, analyze, cost, policy, validate, segment, compile, measured choice), and runs it. Backends, policies and
 * the analyzer are whiteboard services that may come and go at any time; a request whose backend left while it ran is
 * re-planned on the backends that remain and run again. Also the {@link Calibrator} of user analyses and the
 * {@link OperatorProfiler}.
 */
@Component(service = {InferenceService.class, OperatorProfiler.class, Calibrator.class},
        configurationPid = InferenceEngine.PID)
@Designate(ocd = InferenceEngine.Config.class)
public class InferenceEngine implements InferenceService, OperatorProfiler, Calibrator {
    public static final String PID = "org.sparoa.engine";
    private static final Logger LOG = LoggerFactory.getLogger(InferenceEngine.class);
    /** Tries of one request while backends keep leaving under it. */
    private static final int MAX_ATTEMPTS = 5;

    @ObjectClassDefinition(name = "SparOA engine")
    public @interface Config {
        @AttributeDefinition(description = "Policy used when a request names none")
        String defaultPolicy() default FirstCapablePolicy.NAME;

        @AttributeDefinition(description = "Time budget of one scheduling decision, in milliseconds")
        long policyTimeoutMillis() default 5000;

        @AttributeDefinition(description = "Compiled plans kept")
        int planCacheSize() default 32;

        @AttributeDefinition(description = "Time the plans of policies that ask for it (service property "
                + "sparoa.policy.measured), on the first request's inputs, against the whole model on each single "
                + "backend, and keep the fastest (false: never)")
        boolean measuredChoice() default true;

        @AttributeDefinition(description = "Calibration runs per model and input shapes before a policy places it "
                + "(the first on the request's inputs, the others on seeded random inputs)")
        int calibrationRuns() default 2;

        @AttributeDefinition(description = "Timed runs per plan when plans are compared")
        int measuredRuns() default 5;

        @AttributeDefinition(description = "A measured plan is measured once more after this many requests (0: "
                + "never): Java backends run many times slower until the JIT has compiled them, so the first "
                + "measurement under-rates them")
        int remeasureAfterRequests() default DEFAULT_REMEASURE_AFTER;

        @AttributeDefinition(description = "Before a policy that reads costs places a model, time the whole model "
                + "on each backend that runs it and scale that backend's operator costs to match (once per model, "
                + "input shapes and backend set): per-operator costs summed over a whole model were off by "
                + "different factors on different backends")
        boolean wholeModelCalibration() default true;

        @AttributeDefinition(description = "Largest model file loaded, in MiB (read by the model registry)")
        long maxModelFileMegabytes() default ResourceLimits.DEFAULT_MAX_MODEL_FILE_MEGABYTES;

        @AttributeDefinition(description = "Most elements of one request input")
        long maxInputElements() default ResourceLimits.DEFAULT_MAX_INPUT_ELEMENTS;

        @AttributeDefinition(description = "Most elements of one tensor a plan produces, checked before the request "
                + "runs from the shapes known then")
        long maxTensorElements() default ResourceLimits.DEFAULT_MAX_TENSOR_ELEMENTS;

        @AttributeDefinition(description = "Requests of one model running at once; more are refused")
        int maxConcurrentRequestsPerModel() default ResourceLimits.DEFAULT_MAX_CONCURRENT_REQUESTS_PER_MODEL;

        @AttributeDefinition(description = "Refuse NaN and Inf in FLOAT inputs (false: let them through, e.g. for "
                + "load tools that fill inputs with random bytes)")
        boolean rejectNonFiniteInputs() default true;

        @AttributeDefinition(description = "The first synchronous request of each model, once it has its result, "
                + "runs again through the engine's request path, untimed, up to 5,000 times within this many "
                + "milliseconds before it returns, so that later requests find that path compiled by the JIT; the "
                + "warm runs replay one real run's outputs, all but one in 64, so that they cost the engine's code, "
                + "not the model's (0: never)")
        long requestPathWarmupMillis() default DEFAULT_REQUEST_PATH_WARMUP_MILLIS;
    }

    /** How long the first request of a model may warm the request path, in milliseconds. */
    public static final long DEFAULT_REQUEST_PATH_WARMUP_MILLIS = 250;

    /** Requests after which a measured plan is measured again, once. */
    public static final int DEFAULT_REMEASURE_AFTER = 1000;

    private final ModelRegistry models;
    private final PluginRegistry<DeviceBackend> backends = new PluginRegistry<>();
    private final PluginRegistry<SchedulingPolicy> policies = new PluginRegistry<>();
    private final PlanCache plans;
    private final ExecutorService policyExecutor;
    private final PlanningPipeline pipeline;
    private volatile ResourceLimits limits = ResourceLimits.DEFAULTS;
    private final RequestAdmission admission = new RequestAdmission();
    private final TensorSizeCheck sizeCheck = new TensorSizeCheck();
    private volatile boolean rejectNonFinite = true;
    private final AtomicLong requestsReceived = new AtomicLong();
    private final RequestObservers observers = new RequestObservers();
    private final RequestPathWarmup warmup = new RequestPathWarmup();

    @Activate
    public InferenceEngine(@Reference ModelRegistry models, Config config) {
        this(models, config, defaultProfileFile());
    }

    /** {@code costFile}: where measured operator costs persist (null: memory only). */
    public InferenceEngine(ModelRegistry models, Config config, Path costFile) {
        this.models = models;
        this.plans = new PlanCache(config.planCacheSize());
        AtomicInteger n = new AtomicInteger();
        this.policyExecutor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "sparoa-policy-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.pipeline = new PlanningPipeline(models, backends, policies, plans, new OperatorCostProfiler(costFile),
                new PlacementResolver(policyExecutor), settings(config));
        modified(config);
        backends.onRemoval(gone -> plans.evict(p -> p.backends().get(gone.key()) == gone.service()));
        policies.onRemoval(gone -> plans.evictKeys(k -> gone.key().equals(k.policy())
                && k.policyServiceId() == gone.serviceId()));
        if (models instanceof ModelRegistryImpl registry) {
            registry.onRetired(pipeline::forget);
            registry.onRetired(warmup::forget);
        }
    }

    private static Path defaultProfileFile() {
        String data = System.getProperty("karaf.data");
        return data == null ? null : Path.of(data, "sparoa", "cost-profiles.tsv");
    }

    private static PlanningPipeline.Settings settings(Config config) {
        return new PlanningPipeline.Settings(config.defaultPolicy(), config.policyTimeoutMillis(),
                config.measuredChoice(), Math.max(1, config.measuredRuns()), Math.max(0, config.remeasureAfterRequests()),
                Math.max(1, config.calibrationRuns()), Math.max(1, config.maxInputElements()),
                config.wholeModelCalibration());
    }

    @Modified
    void modified(Config config) {
        this.plans.setCapacity(config.planCacheSize());
        this.pipeline.configure(settings(config));
        this.rejectNonFinite = config.rejectNonFiniteInputs();
        this.warmup.configure(config.requestPathWarmupMillis());
        this.limits = new ResourceLimits(Math.max(1, config.maxModelFileMegabytes()) << 20,
                Math.max(1, config.maxInputElements()), Math.max(1, config.maxTensorElements()),
                Math.max(1, config.maxConcurrentRequestsPerModel()));
        this.sizeCheck.clear();
    }

    /** The limits in force. */
    public ResourceLimits limits() {
        return limits;
    }

    /** Shuts the engine down outside OSGi ({@code LocalPlatform}). */
    public void deactivateForTools() {
        deactivate();
    }

    @Deactivate
    void deactivate() {
        plans.evict(p -> true);
        policyExecutor.shutdownNow();
        observers.close();
    }

    /** A {@link PlanObserver}: told about every completed request, on the engine's observer thread. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void bindObserver(PlanObserver observer) {
        observers.add(observer);
    }

    public void unbindObserver(PlanObserver observer) {
        observers.remove(observer);
    }

    /** Completed requests the observers did not get because they fell behind. */
    public long observationsDropped() {
        return observers.dropped();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void bindBackend(DeviceBackend backend, Map<String, Object> props) {
        String id = String.valueOf(props.getOrDefault(DeviceBackend.PROP_ID, backend.id()));
        backends.add(new Ranked<>(id, backend, Ranked.ranking(props), Ranked.serviceId(props), Map.copyOf(props)));
        LOG.info("Backend {} ({}) is live", id, backend.kind().propertyValue());
    }

    public void unbindBackend(DeviceBackend backend, Map<String, Object> props) {
        String id = String.valueOf(props.getOrDefault(DeviceBackend.PROP_ID, backend.id()));
        backends.remove(id, backend);
        LOG.info("Backend {} left", id);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, updated = "updatedPolicy")
    public void bindPolicy(SchedulingPolicy policy, Map<String, Object> props) {
        String name = String.valueOf(props.getOrDefault(SchedulingPolicy.PROP_NAME, policy.name()));
        policies.add(policyEntry(name, policy, props));
        LOG.info("Policy {} is available", name);
    }

    /** Service properties of a bound policy changed (e.g. its version property): plans of its old version go. */
    public void updatedPolicy(SchedulingPolicy policy, Map<String, Object> props) {
        String name = String.valueOf(props.getOrDefault(SchedulingPolicy.PROP_NAME, policy.name()));
        Ranked<SchedulingPolicy> entry = policyEntry(name, policy, props);
        Optional<String> before = policies.keyOf(policy);
        if (before.isEmpty() || !before.get().equals(name) || !policies.replace(name, policy, entry)) {
            before.ifPresent(old -> policies.remove(old, policy)); // renamed: its plans go with the old name
            policies.add(entry);
            LOG.info("Policy {} is available", name);
            return;
        }
        String version = PolicyVersion.of(entry);
        plans.evictKeys(k -> name.equals(k.policy()) && k.policyServiceId() == entry.serviceId()
                && !version.equals(k.policyVersion()));
        LOG.info("Policy {} updated, version {}", name, version);
    }

    private static Ranked<SchedulingPolicy> policyEntry(String name, SchedulingPolicy policy, Map<String, Object> props) {
        Map<String, Object> p = new HashMap<>(props);
        p.put(PolicyVersion.RESOLVED, PolicyVersion.resolve(policy, props));
        return new Ranked<>(name, policy, Ranked.ranking(props), Ranked.serviceId(props), Map.copyOf(p));
    }

    public void unbindPolicy(SchedulingPolicy policy, Map<String, Object> props) {
        String name = String.valueOf(props.getOrDefault(SchedulingPolicy.PROP_NAME, policy.name()));
        policies.remove(name, policy);
    }

    /** The operator analyzer, whose analysis policies get in their context; planning works without one. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void bindAnalyzer(ModelAnalyzer analyzer) {
        pipeline.setAnalyzer(analyzer);
        plans.evict(p -> true); // plans made without (or with another) analysis
    }

    public void unbindAnalyzer(ModelAnalyzer analyzer) {
        pipeline.unsetAnalyzer(analyzer);
    }

    /** Requests received by {@link #infer} and {@link #inferAsync}, for tests that prove planning never re-enters. */
    public long requestsReceived() {
        return requestsReceived.get();
    }

    /** The live backends, best ranked first. */
    public List<DeviceBackend> liveBackends() {
        return backends.live().stream().map(Ranked::service).toList();
    }

    public List<String> policyNames() {
        return policies.live().stream().map(Ranked::key).toList();
    }

    public String defaultPolicy() {
        return pipeline.settings().defaultPolicy();
    }

    @Override
    public InferenceResult infer(String modelId, Map<String, Tensor> inputs, RunOptions options) {
        requestsReceived.incrementAndGet();
        Model model = models.require(modelId);
        RunOptions opts = options == null ? RunOptions.defaults() : options;
        admit(model, inputs);
        InferenceResult result;
        try {
            result = inferAdmitted(model, inputs, opts, RunKind.REQUEST);
        } finally {
            admission.release(model);
        }
        observers.publish(model.id(), result);
        if (!opts.captureIntermediates() && opts.deadline() == null && warmup.claim(model)) {
            warmup.run(model, replay -> warmRun(model, inputs, opts, replay ? RunKind.WARM_REPLAY : RunKind.WARM));
        }
        return result;
    }

    /** What a run through {@link #attempt} is: a user's request, or a warm run of {@link RequestPathWarmup}. */
    private enum RunKind {
        REQUEST,
        /** A warm run that runs the model. */
        WARM,
        /** A warm run whose segments hand back one real run's outputs ({@link ReplayedSegment}). */
        WARM_REPLAY
    }

    /**
     * The request once more, through the same path, for {@link RequestPathWarmup}: not counted as a request, not
     * published to observers, and not counted among the uses after which a measured plan is measured again.
     */
    private void warmRun(Model model, Map<String, Tensor> inputs, RunOptions opts, RunKind kind) {
        admit(model, inputs);
        try {
            inferAdmitted(model, inputs, opts, kind);
        } finally {
            admission.release(model);
        }
    }

    /** Input checks and limits, then a place among the model's concurrent requests (released by the caller). */
    private void admit(Model model, Map<String, Tensor> inputs) {
        InputValidator.validate(model, inputs, rejectNonFinite);
        ResourceLimits l = limits;
        for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
            long[] shape = e.getValue().shape();
            if (!ResourceLimits.withinElements(shape, l.maxInputElements())) {
                // the message only where there is something to say: the request path builds no string
                ResourceLimits.checkElements(shape, l.maxInputElements(), "input '" + e.getKey() + "' of " + model.id());
            }
        }
        sizeCheck.check(model, inputs, l.maxTensorElements());
        admission.acquire(model, l.maxConcurrentRequestsPerModel());
    }

    /**
     * The request on the caller's thread: a sequential plan runs inline (no hand-off to another thread), any other
     * through the executor while the caller waits; the tries are those of {@link #attempt}.
     */
    private InferenceResult inferAdmitted(Model model, Map<String, Tensor> inputs, RunOptions opts,
                                          RunKind kind) {
        AtomicBoolean cancelled = new AtomicBoolean();
        try {
            return waitFor(attempt(model, Map.copyOf(inputs), opts, 1, cancelled, true, kind), model.id());
        } catch (RequestCancelledException e) {
            throw e;
        } catch (SparoaException e) {
            if (Thread.currentThread().isInterrupted()) {
                cancelled.set(true); // the caller is gone: its segments not yet started never start
            }
            throw e;
        }
    }

    /** The refusal of a request whose backends changed under every one of its tries to plan it. */
    private static BackendException tooFast(Model model, BackendDepartedException last) {
        return new BackendException("backends left under each of " + MAX_ATTEMPTS + " tries to plan " + model.id()
                + " (last: " + last.getMessage() + "); backends are changing too fast", last);
    }

    private static InferenceResult waitFor(CompletableFuture<InferenceResult> future, String modelId) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SparoaException("interrupted while running " + modelId);
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        }
    }

    @Override
    public CompletableFuture<InferenceResult> inferAsync(String modelId, Map<String, Tensor> inputs,
                                                         RunOptions options) {
        requestsReceived.incrementAndGet();
        Model model = models.require(modelId);
        admit(model, inputs);
        AtomicBoolean cancelled = new AtomicBoolean();
        CompletableFuture<InferenceResult> run;
        try {
            run = attempt(model, Map.copyOf(inputs), options == null ? RunOptions.defaults() : options, 1, cancelled,
                    false, RunKind.REQUEST);
        } catch (RuntimeException e) {
            admission.release(model);
            throw e;
        }
        run.whenComplete((r, e) -> {
            admission.release(model);
            if (e == null) {
                observers.publish(model.id(), r);
            }
        });
        // a caller that cancels the future it holds stops the request at its next segment boundary
        CompletableFuture<InferenceResult> mine = new CompletableFuture<>();
        run.whenComplete((r, e) -> {
            if (e != null) {
                mine.completeExceptionally(e);
            } else {
                mine.complete(r);
            }
        });
        mine.whenComplete((r, e) -> {
            if (mine.isCancelled()) {
                cancelled.set(true);
            }
        });
        return mine;
    }

    /**
     * One try of a request, and the next ones while backends leave under it (at most {@value #MAX_ATTEMPTS} in
     * all): plan, acquire the plan, run it; a plan retired before it was acquired, a backend that left while the plan
     * was built, or a run that failed because one of its backends left, make the request planned again on the
     * backends that remain. {@code inline}: a sequential plan runs on the calling thread (which the caller's
     * interrupt cancels) and the future is complete when this returns.
     */
    private CompletableFuture<InferenceResult> attempt(Model model, Map<String, Tensor> inputs, RunOptions options,
                                                       int attempt, AtomicBoolean cancelled, boolean inline,
                                                       RunKind kind) {
        ExecutionPlan plan;
        try {
            plan = pipeline.planFor(model, options, inputs, attempt == 1, kind == RunKind.REQUEST);
        } catch (BackendDepartedException e) {
            if (attempt >= MAX_ATTEMPTS) {
                return CompletableFuture.failedFuture(tooFast(model, e));
            }
            LOG.warn("{}; re-planning {} on what remains", e.getMessage(), model.id());
            return attempt(model, inputs, options, attempt + 1, cancelled, inline, kind);
        }
        if (!plan.acquire()) {
            if (attempt >= MAX_ATTEMPTS) {
                return CompletableFuture.failedFuture(new BackendException("the plan for " + model.id()
                        + " kept being retired; backends are changing too fast"));
            }
            return attempt(model, inputs, options, attempt + 1, cancelled, inline, kind);
        }
        CompletableFuture<InferenceResult> run;
        try {
            // a warm run that replays runs the same plan with segments that hand back one real run's outputs
            ExecutionPlan runs = kind == RunKind.WARM_REPLAY ? warmup.replayOf(plan) : plan;
            run = inline && runs.isSequential() ? runInline(runs, inputs, options)
                    : PlanExecutor.run(runs, inputs, options.captureIntermediates(),
                            Cancellation.of(cancelled, options.deadline()));
        } catch (RuntimeException | Error e) {
            plan.release();
            throw e;
        }
        if (run.isDone() && !run.isCompletedExceptionally()) {
            // a plan run inline that succeeded: nothing to retry, no stage to chain
            plan.release();
            return run;
        }
        return run.whenComplete((r, e) -> plan.release()).handle((result, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(result);
            }
            if (unwrap(error) instanceof RequestCancelledException) {
                return CompletableFuture.<InferenceResult>failedFuture(unwrap(error));
            }
            List<String> gone = departedBackends(plan);
            if (!gone.isEmpty() && attempt < MAX_ATTEMPTS) {
                LOG.warn("Backend(s) {} left during a request on {}; re-planning on what remains", gone, model.id());
                plans.evict(p -> p == plan);
                return attempt(model, inputs, options, attempt + 1, cancelled, inline, kind);
            }
            return CompletableFuture.<InferenceResult>failedFuture(unwrap(error));
        }).thenCompose(f -> f);
    }

    /** A sequential plan run on the calling thread, as a completed future. */
    private static CompletableFuture<InferenceResult> runInline(ExecutionPlan plan, Map<String, Tensor> inputs,
                                                                RunOptions options) {
        try {
            return CompletableFuture.completedFuture(PlanExecutor.runInline(plan, inputs,
                    options.captureIntermediates(), Cancellation.ofCurrentThread(options.deadline())));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public PlanDescription plan(String modelId, RunOptions options) {
        return pipeline.planFor(models.require(modelId), options == null ? RunOptions.defaults() : options, null, true)
                .description();
    }

    @Override
    public List<Measurement> profile(String modelId, Map<String, Tensor> inputs, boolean remeasure) {
        Model model = models.require(modelId);
        InputValidator.validate(model, inputs, rejectNonFinite);
        return pipeline.profile(model, inputs, remeasure);
    }

    @Override
    public Map<String, org.sparoa.api.BoundaryCost> boundaryCosts() {
        return pipeline.boundaryCosts();
    }

    @Override
    public Calibration calibrate(String modelId, AnalysisOptions options) {
        Model model = models.require(modelId);
        AnalysisOptions opts = options == null ? AnalysisOptions.defaults() : options;
        opts.inputSets().forEach(set -> InputValidator.validate(model, set, rejectNonFinite));
        return pipeline.calibrate(model, opts);
    }

    private List<String> departedBackends(ExecutionPlan plan) {
        return pipeline.departedBackends(plan);
    }

    private static RuntimeException unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c instanceof RuntimeException r ? r : new SparoaException(c.toString(), c);
    }
}
