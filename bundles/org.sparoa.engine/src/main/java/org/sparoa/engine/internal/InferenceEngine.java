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
import org.sparoa.api.OperatorProfiler;
import org.sparoa.api.PlanDescription;
import org.sparoa.api.RequestCancelledException;
import org.sparoa.api.RunOptions;
import org.sparoa.api.Placement;
import org.sparoa.api.SchedulingPolicy;
import org.sparoa.api.SparoaException;
import org.sparoa.api.Tensor;
import org.sparoa.engine.ResourceLimits;

/**
 * The {@link InferenceService}: validates a request, finds or builds its plan (placement, segments, compiled on
 * their backends), and runs it. Backends and policies are whiteboard services that may come and go at any time;
 * a request whose backend left while it ran is re-planned on the backends that remain and run again.
 */
@Component(service = {InferenceService.class, OperatorProfiler.class}, configurationPid = InferenceEngine.PID)
@Designate(ocd = InferenceEngine.Config.class)
public class InferenceEngine implements InferenceService, OperatorProfiler {
    /** Policy service property: true when the policy reads operator costs, so the engine profiles first. */
    public static final String PROP_POLICY_NEEDS_COSTS = "sparoa.policy.costs";
    /**
     * Policy service property: a version a policy may declare for its decisions (e.g. bumped when its configuration
     * changes what it answers). Cached plans are keyed by it together with the policy bundle's name and version.
     */
    public static final String PROP_POLICY_VERSION = "sparoa.policy.version";
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

        @AttributeDefinition(description = "Policies (comma-separated) whose plans are timed, on the first request's "
                + "inputs, against running the whole model on each single backend; the fastest is kept")
        String measuredPolicies() default "greedy,threshold";

        @AttributeDefinition(description = "Timed runs per plan when plans are compared")
        int measuredRuns() default 5;

        @AttributeDefinition(description = "A measured plan is measured once more after this many requests (0: "
                + "never): Java backends run many times slower until the JIT has compiled them, so the first "
                + "measurement under-rates them")
        int remeasureAfterRequests() default DEFAULT_REMEASURE_AFTER;

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
    }

    /** Requests after which a measured plan is measured again, once. */
    public static final int DEFAULT_REMEASURE_AFTER = 1000;
    /** Longest warm-up of one plan before the second measurement (the JIT compiling a backend little used so far). */
    static final long REMEASURE_WARMUP_MILLIS = 2000;

    private final ModelRegistry models;
    private final PluginRegistry<DeviceBackend> backends = new PluginRegistry<>();
    private final PluginRegistry<SchedulingPolicy> policies = new PluginRegistry<>();
    private final PlanCache plans;
    private final PlacementResolver resolver;
    private final ExecutorService policyExecutor;
    private final OperatorCostProfiler profiler;
    private volatile String defaultPolicy;
    private volatile long policyTimeoutMillis;
    private volatile java.util.Set<String> measuredPolicies = java.util.Set.of();
    private volatile int measuredRuns;
    private volatile int remeasureAfter;
    private volatile ResourceLimits limits = ResourceLimits.DEFAULTS;
    private final RequestAdmission admission = new RequestAdmission();
    private final TensorSizeCheck sizeCheck = new TensorSizeCheck();
    private volatile boolean rejectNonFinite = true;
    /** Requests served by each measured plan's key, up to its second measurement. */
    private final java.util.concurrent.ConcurrentHashMap<PlanKey, AtomicInteger> measuredUses =
            new java.util.concurrent.ConcurrentHashMap<>();

    @Activate
    public InferenceEngine(@Reference ModelRegistry models, Config config) {
        this(models, config, defaultProfileFile());
    }

    /** {@code costFile}: where measured operator costs persist (null: memory only). */
    public InferenceEngine(ModelRegistry models, Config config, Path costFile) {
        this.models = models;
        this.profiler = new OperatorCostProfiler(costFile);
        this.plans = new PlanCache(config.planCacheSize());
        AtomicInteger n = new AtomicInteger();
        this.policyExecutor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "sparoa-policy-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.resolver = new PlacementResolver(policyExecutor);
        modified(config);
        backends.onRemoval(gone -> plans.evict(p -> p.backends().get(gone.key()) == gone.service()));
        policies.onRemoval(gone -> plans.evictKeys(k -> gone.key().equals(k.policy())
                && k.policyServiceId() == gone.serviceId()));
    }

    private static Path defaultProfileFile() {
        String data = System.getProperty("karaf.data");
        return data == null ? null : Path.of(data, "sparoa", "cost-profiles.tsv");
    }

    @Modified
    void modified(Config config) {
        this.defaultPolicy = config.defaultPolicy();
        this.policyTimeoutMillis = config.policyTimeoutMillis();
        this.plans.setCapacity(config.planCacheSize());
        this.measuredPolicies = java.util.Arrays.stream(config.measuredPolicies().split(","))
                .map(String::trim).filter(x -> !x.isEmpty()).collect(Collectors.toUnmodifiableSet());
        this.measuredRuns = Math.max(1, config.measuredRuns());
        this.remeasureAfter = Math.max(0, config.remeasureAfterRequests());
        this.rejectNonFinite = config.rejectNonFiniteInputs();
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

    /** The live backends, best ranked first. */
    public List<DeviceBackend> liveBackends() {
        return backends.live().stream().map(Ranked::service).toList();
    }

    public List<String> policyNames() {
        return policies.live().stream().map(Ranked::key).toList();
    }

    public String defaultPolicy() {
        return defaultPolicy;
    }

    @Override
    public InferenceResult infer(String modelId, Map<String, Tensor> inputs, RunOptions options) {
        Model model = models.require(modelId);
        RunOptions opts = options == null ? RunOptions.defaults() : options;
        admit(model, inputs);
        try {
            return inferAdmitted(model, inputs, opts);
        } finally {
            admission.release(model);
        }
    }

    /** Input checks and limits, then a place among the model's concurrent requests (released by the caller). */
    private void admit(Model model, Map<String, Tensor> inputs) {
        InputValidator.validate(model, inputs, rejectNonFinite);
        ResourceLimits l = limits;
        inputs.forEach((name, t) -> ResourceLimits.checkElements(t.shape(), l.maxInputElements(),
                "input '" + name + "' of " + model.id()));
        sizeCheck.check(model, inputs, l.maxTensorElements());
        admission.acquire(model, l.maxConcurrentRequestsPerModel());
    }

    private InferenceResult inferAdmitted(Model model, Map<String, Tensor> inputs, RunOptions opts) {
        String modelId = model.id();
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            ExecutionPlan plan;
            try {
                plan = planFor(model, opts, inputs, attempt == 1);
            } catch (BackendDepartedException e) {
                if (attempt == MAX_ATTEMPTS) {
                    throw tooFast(model, e);
                }
                LOG.warn("{}; re-planning {} on what remains", e.getMessage(), model.id());
                continue;
            }
            if (!plan.isSequential()) {
                AtomicBoolean cancelled = new AtomicBoolean();
                try {
                    return waitFor(attempt(model, Map.copyOf(inputs), opts, attempt, cancelled), modelId);
                } catch (RequestCancelledException e) {
                    throw e;
                } catch (SparoaException e) {
                    if (Thread.currentThread().isInterrupted()) {
                        cancelled.set(true); // the caller is gone: its segments not yet started never start
                    }
                    throw e;
                }
            }
            if (!plan.acquire()) {
                continue;
            }
            try {
                return PlanExecutor.runInline(plan, inputs, opts.captureIntermediates(),
                        Cancellation.ofCurrentThread(opts.deadline()));
            } catch (RequestCancelledException e) {
                throw e;
            } catch (RuntimeException e) {
                List<String> gone = departedBackends(plan);
                if (gone.isEmpty() || attempt == MAX_ATTEMPTS) {
                    throw e;
                }
                LOG.warn("Backend(s) {} left during a request on {}; re-planning on what remains", gone, model.id());
                plans.evict(p -> p == plan);
            } finally {
                plan.release();
            }
        }
        throw new BackendException("the plan for " + model.id() + " kept being retired; backends are changing too fast");
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
        Model model = models.require(modelId);
        admit(model, inputs);
        AtomicBoolean cancelled = new AtomicBoolean();
        CompletableFuture<InferenceResult> run;
        try {
            run = attempt(model, Map.copyOf(inputs), options == null ? RunOptions.defaults() : options, 1, cancelled);
        } catch (RuntimeException e) {
            admission.release(model);
            throw e;
        }
        run.whenComplete((r, e) -> admission.release(model));
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

    private CompletableFuture<InferenceResult> attempt(Model model, Map<String, Tensor> inputs, RunOptions options,
                                                       int attempt, AtomicBoolean cancelled) {
        ExecutionPlan plan;
        try {
            plan = planFor(model, options, inputs, attempt == 1);
        } catch (BackendDepartedException e) {
            if (attempt >= MAX_ATTEMPTS) {
                return CompletableFuture.failedFuture(tooFast(model, e));
            }
            LOG.warn("{}; re-planning {} on what remains", e.getMessage(), model.id());
            return attempt(model, inputs, options, attempt + 1, cancelled);
        }
        if (!plan.acquire()) {
            if (attempt >= MAX_ATTEMPTS) {
                return CompletableFuture.failedFuture(new BackendException("the plan for " + model.id()
                        + " kept being retired; backends are changing too fast"));
            }
            return attempt(model, inputs, options, attempt + 1, cancelled);
        }
        CompletableFuture<InferenceResult> run;
        try {
            run = PlanExecutor.run(plan, inputs, options.captureIntermediates(),
                    Cancellation.of(cancelled, options.deadline()));
        } catch (RuntimeException e) {
            plan.release();
            throw e;
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
                return attempt(model, inputs, options, attempt + 1, cancelled);
            }
            return CompletableFuture.<InferenceResult>failedFuture(unwrap(error));
        }).thenCompose(f -> f);
    }

    @Override
    public PlanDescription plan(String modelId, RunOptions options) {
        return planFor(models.require(modelId), options == null ? RunOptions.defaults() : options, null, true)
                .description();
    }

    /** {@code inputs}: the request's inputs, for profiling when the policy needs costs (null: none at hand). */
    /**
     * {@code mayMeasure}: false on a request's retry after its backends changed under it; it then runs the policy's
     * plan as placed (cached apart from measured plans), instead of measuring again while backends keep changing.
     */
    private ExecutionPlan planFor(Model model, RunOptions options, Map<String, Tensor> inputs, boolean mayMeasure) {
        PluginRegistry.Snapshot<DeviceBackend> now = backends.snapshot();
        List<Ranked<DeviceBackend>> live = now.live();
        String backendSet = now.key();
        String policyName = options.policy() != null ? options.policy() : defaultPolicy;
        Optional<Ranked<SchedulingPolicy>> policy = policies.get(policyName);
        if (options.policy() != null && options.backend() == null && policy.isEmpty()
                && !options.policy().equals(FirstCapablePolicy.NAME)) {
            throw new SparoaException("unknown policy '" + options.policy() + "'; installed: " + policyNames());
        }
        boolean pinned = options.backend() != null;
        // a plan is measured against single backends only where there are inputs to measure it on; one built without
        // (a plan() query) is kept apart, so that it never stands in for a measured one
        boolean measured = mayMeasure && !pinned && inputs != null && !options.captureIntermediates()
                && measuredPolicies.contains(policyName);
        PlanKey key = new PlanKey(model, backendSet, pinned ? null : policyName,
                pinned ? -1L : policy.map(Ranked::serviceId).orElse(-1L),
                pinned ? "" : policy.map(PolicyVersion::of).orElse(""), options.backend(), options.policyOptions(),
                options.captureIntermediates(), measured);
        boolean needsCosts = options.backend() == null && policy.map(p -> p.flag(PROP_POLICY_NEEDS_COSTS)).orElse(false);
        boolean second = false;
        if (measured && remeasureAfter > 0) {
            if (measuredUses.size() > 64) {
                // a key holds its model: drop those of replaced or unloaded models and of backend sets gone (the
                // soak saw the heap grow by 300 MiB in 30 minutes of reloads and backend swaps without this)
                measuredUses.keySet().removeIf(k -> !k.backendSet().equals(backendSet)
                        || models.get(k.model().id()).orElse(null) != k.model());
            }
            if (measuredUses.size() > 4096) {
                measuredUses.clear(); // at worst a plan is measured a third time
            }
            AtomicInteger uses = measuredUses.computeIfAbsent(key, k -> new AtomicInteger());
            if (uses.incrementAndGet() == remeasureAfter + 1) {
                // exactly once per key: this request rebuilds the plan and measures the candidates again, warm
                LOG.info("Measuring the plan of {} by {} again after {} requests", model.id(), policyName,
                        remeasureAfter);
                plans.evictKeys(key::equals);
                second = true;
            }
        }
        // the first measurement keeps the first request short: one warm-up run, up to 4x the runs where the plans are
        // close; the second decides for good: every plan warmed (a backend this process has hardly used yet gets
        // compiled by the JIT now), three times the runs, up to 12x where the plans are close
        MeasuredPlanChoice.Schedule schedule = second
                ? new MeasuredPlanChoice.Schedule(3 * measuredRuns, 12 * measuredRuns, REMEASURE_WARMUP_MILLIS)
                : new MeasuredPlanChoice.Schedule(measuredRuns, 4 * measuredRuns, 0);
        ExecutionPlan built = plans.getOrBuild(key, () -> {
            if (needsCosts && inputs != null && !profiler.isProfiled(model, live)) {
                LOG.info("Profiling {} on {} for policy {}", model.id(), backendSet, policyName);
                profileWith(model, inputs, live, false);
            }
            ExecutionPlan plan = build(model, live, policy.map(Ranked::service).orElse(null), policyName, options);
            return measured ? measureAgainstSingleBackends(plan, model, live, inputs, schedule) : plan;
        });
        // a backend that left while the plan was being built (profiled, placed, compiled, measured) was removed before
        // the plan reached the cache, so the removal could not evict it: it must not serve this request or later ones
        List<String> gone = departedBackends(built);
        if (!gone.isEmpty()) {
            plans.evict(p -> p == built);
            throw new BackendDepartedException("backend(s) " + gone + " left while the plan of " + model.id()
                    + " was being built", null);
        }
        return built;
    }

    @Override
    public List<Measurement> profile(String modelId, Map<String, Tensor> inputs, boolean remeasure) {
        Model model = models.require(modelId);
        InputValidator.validate(model, inputs, rejectNonFinite);
        return profileWith(model, inputs, backends.live(), remeasure);
    }

    private List<Measurement> profileWith(Model model, Map<String, Tensor> inputs, List<Ranked<DeviceBackend>> live,
                                          boolean remeasure) {
        Map<String, Tensor> tensors = new HashMap<>(inputs);
        tensors.putAll(calibrate(model, inputs).intermediates());
        return profiler.profile(model, tensors, live, remeasure);
    }

    /** One run that captures every intermediate tensor, and records the model's tensor shapes. */
    private InferenceResult calibrate(Model model, Map<String, Tensor> inputs) {
        // already admitted as part of the request that needs the profile, or by profile(): not admitted again
        InferenceResult r = inferAdmitted(model, inputs, new RunOptions(null, FirstCapablePolicy.NAME, Map.of(), true));
        Map<String, Tensor> tensors = new HashMap<>(inputs);
        tensors.putAll(r.intermediates());
        profiler.recordShapes(model, tensors);
        return r;
    }

    private ExecutionPlan build(Model model, List<Ranked<DeviceBackend>> live, SchedulingPolicy policy,
                                String policyName, RunOptions options) {
        List<LiveBackendView> views = live.stream().map(r -> new LiveBackendView(r, model.graph())).toList();
        ResolvedPlacement placement = resolver.resolve(model, views, policy, policyName, options, policyTimeoutMillis,
                profiler.costModel(model, live));
        return compile(model, views, placement.placement(), placement.policy(), placement.fallbackReason(),
                options.captureIntermediates());
    }

    /** Cuts a placement into segments and compiles each on its backend. */
    private ExecutionPlan compile(Model model, List<LiveBackendView> views, Placement placement, String policy,
                                  String fallbackReason, boolean captureIntermediates) {
        List<SegmentPlanner.PlannedSegment> planned = SegmentPlanner.plan(model, placement, captureIntermediates);
        Map<String, DeviceBackend> used = new HashMap<>();
        List<CompiledSegment> compiled = new ArrayList<>();
        try {
            for (SegmentPlanner.PlannedSegment p : planned) {
                DeviceBackend backend = views.stream().filter(v -> v.id().equals(p.backendId())).findFirst()
                        .orElseThrow().backend();
                used.put(p.backendId(), backend);
                compiled.add(backend.compile(p.segment()));
            }
        } catch (RuntimeException e) {
            compiled.forEach(CompiledSegment::close);
            List<String> gone = used.entrySet().stream().filter(u -> !backends.isLive(u.getKey(), u.getValue()))
                    .map(Map.Entry::getKey).toList();
            if (!gone.isEmpty()) {
                // the backend set changed while this plan was being compiled: not the request's fault
                throw new BackendDepartedException("backend(s) " + gone + " left while " + model.id()
                        + " was being planned", e);
            }
            throw e;
        }
        LOG.debug("Planned {}: {} segment(s) by {}", model.id(), compiled.size(), policy);
        return new ExecutionPlan(model, compiled, used, SegmentPlanner.producerSegments(planned), policy,
                fallbackReason);
    }

    /**
     * The policy's plan, or the whole model on one backend when that measured faster on the request's inputs
     * (see {@link MeasuredPlanChoice}). Backends that cannot run every operator are not candidates.
     */
    private ExecutionPlan measureAgainstSingleBackends(ExecutionPlan proposed, Model model,
                                                       List<Ranked<DeviceBackend>> live, Map<String, Tensor> inputs,
                                                       MeasuredPlanChoice.Schedule schedule) {
        List<LiveBackendView> views = live.stream().map(r -> new LiveBackendView(r, model.graph())).toList();
        String only = proposed.backendIds().size() == 1 ? proposed.backendIds().iterator().next() : null;
        List<MeasuredPlanChoice.Candidate> singles = new ArrayList<>();
        for (LiveBackendView v : views) {
            if (v.id().equals(only) || !model.graph().nodes().stream().allMatch(v::supports)) {
                continue;
            }
            Map<String, String> all = new HashMap<>();
            model.graph().nodes().forEach(n -> all.put(n.name(), v.id()));
            singles.add(new MeasuredPlanChoice.Candidate(v.id() + " alone",
                    () -> compile(model, views, new Placement(all), proposed.description().policy(), null, false)));
        }
        String label = proposed.description().policy() + " (" + proposed.segments().size() + " segment(s) on "
                + proposed.backendIds() + ")";
        MeasuredPlanChoice.Choice c;
        try {
            c = MeasuredPlanChoice.choose(proposed, label, singles, schedule,
                    p -> p.isSequential() ? PlanExecutor.runInline(p, inputs, false, Cancellation.NONE)
                            : waitFor(PlanExecutor.run(p, inputs, false, Cancellation.NONE), model.id()));
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
            return c.plan();
        }
        String previous = proposed.description().fallbackReason();
        return c.plan().relabelled(proposed.description().policy(),
                previous == null ? c.reason() : previous + "; " + c.reason());
    }

    private List<String> departedBackends(ExecutionPlan plan) {
        List<String> gone = new ArrayList<>();
        plan.backends().forEach((id, instance) -> {
            if (!backends.isLive(id, instance)) {
                gone.add(id);
            }
        });
        return gone;
    }

    private static RuntimeException unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c instanceof RuntimeException r ? r : new SparoaException(c.toString(), c);
    }
}
