package org.sparoa.engine;

import java.lang.annotation.Annotation;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.sparoa.api.DeviceBackend;
import org.sparoa.api.InferenceService;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.OperatorProfiler;
import org.sparoa.api.PlanObserver;
import org.sparoa.api.analysis.Calibrator;
import org.sparoa.api.analysis.ModelAnalyzer;
import org.sparoa.api.SchedulingPolicy;
import org.sparoa.engine.internal.InferenceEngine;
import org.sparoa.engine.internal.ModelRegistryImpl;

/**
 * The platform without OSGi, for tools, benchmarks and tests: the same model registry and engine that the Karaf
 * distribution runs, over backends and policies the caller adds and removes.
 */
public final class LocalPlatform implements AutoCloseable {
    /**
     * System property: {@code false} turns the engine's whole-model calibration of operator costs off (the
     * {@code wholeModelCalibration} setting of the OSGi component), for A/B measurements.
     */
    public static final String WHOLE_MODEL_CALIBRATION = "sparoa.engine.wholeModelCalibration";
    /**
     * System property: how long the first request of each model warms the engine's request path, in milliseconds
     * (the {@code requestPathWarmupMillis} setting of the OSGi component, default
     * {@link InferenceEngine#DEFAULT_REQUEST_PATH_WARMUP_MILLIS}; 0: never).
     */
    public static final String REQUEST_PATH_WARMUP_MILLIS = "sparoa.engine.requestPathWarmupMillis";
    private final ModelRegistryImpl models = new ModelRegistryImpl();
    private final InferenceEngine engine;
    private final AtomicLong serviceIds = new AtomicLong();
    private final Map<Object, Map<String, Object>> properties = new HashMap<>();

    private LocalPlatform(String defaultPolicy, long policyTimeoutMillis, Path costFile, boolean measuredChoice) {
        this(defaultPolicy, policyTimeoutMillis, costFile, measuredChoice, InferenceEngine.DEFAULT_REMEASURE_AFTER);
    }

    private LocalPlatform(String defaultPolicy, long policyTimeoutMillis, Path costFile, boolean measuredChoice,
                          int remeasureAfter) {
        this(defaultPolicy, policyTimeoutMillis, costFile, measuredChoice, remeasureAfter, ResourceLimits.DEFAULTS);
    }

    private LocalPlatform(String defaultPolicy, long policyTimeoutMillis, Path costFile, boolean measuredChoice,
                          int remeasureAfter, ResourceLimits limits) {
        this.models.setMaxFileBytes(limits.maxModelFileBytes());
        this.engine = new InferenceEngine(models, config(defaultPolicy, policyTimeoutMillis, measuredChoice,
                remeasureAfter, limits), costFile);
    }

    /** A platform with the given resource limits (the defaults elsewhere). */
    public static LocalPlatform withLimits(ResourceLimits limits, DeviceBackend... backends) {
        return withBackends(new LocalPlatform(SchedulingPolicy.FIRST_CAPABLE, 5000, null, true,
                InferenceEngine.DEFAULT_REMEASURE_AFTER, limits), backends);
    }

    public static LocalPlatform of(DeviceBackend... backends) {
        return of(5000, backends);
    }

    /** A platform whose policies get {@code policyTimeoutMillis} per decision. */
    public static LocalPlatform of(long policyTimeoutMillis, DeviceBackend... backends) {
        return of(policyTimeoutMillis, null, backends);
    }

    /** A platform that persists measured operator costs in {@code costFile} (null: in memory only). */
    public static LocalPlatform of(long policyTimeoutMillis, Path costFile, DeviceBackend... backends) {
        return withBackends(new LocalPlatform(SchedulingPolicy.FIRST_CAPABLE, policyTimeoutMillis, costFile, true),
                backends);
    }

    /**
     * A platform that runs every policy's plan as the policy placed it: none is timed against single backends
     * first. For tests of a policy's own placement.
     */
    public static LocalPlatform withoutMeasuredPlans(DeviceBackend... backends) {
        return withBackends(new LocalPlatform(SchedulingPolicy.FIRST_CAPABLE, 5000, null, false), backends);
    }

    /** A platform whose measured plans (greedy, threshold) are measured once more after {@code requests} requests. */
    public static LocalPlatform remeasuringAfter(int requests, DeviceBackend... backends) {
        return remeasuringAfter(requests, 5000, backends);
    }

    /** As {@link #remeasuringAfter(int, DeviceBackend...)}, with {@code policyTimeoutMillis} per decision. */
    public static LocalPlatform remeasuringAfter(int requests, long policyTimeoutMillis, DeviceBackend... backends) {
        return withBackends(new LocalPlatform(SchedulingPolicy.FIRST_CAPABLE, policyTimeoutMillis, null, true,
                requests), backends);
    }

    private static LocalPlatform withBackends(LocalPlatform p, DeviceBackend... backends) {
        for (DeviceBackend b : backends) {
            p.addBackend(b, 0);
        }
        return p;
    }

    public ModelRegistry models() {
        return models;
    }

    public InferenceService inference() {
        return engine;
    }

    public OperatorProfiler profiler() {
        return engine;
    }

    /** The engine's calibration, for an analyzer built outside OSGi. */
    public Calibrator calibrator() {
        return engine;
    }

    /** Gives the planning pipeline an analyzer, whose analysis policies then get in their context. */
    public synchronized void setAnalyzer(ModelAnalyzer analyzer) {
        engine.bindAnalyzer(analyzer);
    }

    /** Requests the engine received (never more than the caller sent: planning does not re-enter the engine). */
    public long requestsReceived() {
        return engine.requestsReceived();
    }

    public List<DeviceBackend> backends() {
        return engine.liveBackends();
    }

    public synchronized void addBackend(DeviceBackend backend, int ranking) {
        Map<String, Object> props = Map.of(DeviceBackend.PROP_ID, backend.id(), "service.ranking", ranking,
                "service.id", serviceIds.incrementAndGet());
        properties.put(backend, props);
        engine.bindBackend(backend, props);
    }

    public synchronized void removeBackend(DeviceBackend backend) {
        Map<String, Object> props = properties.remove(backend);
        if (props != null) {
            engine.unbindBackend(backend, props);
        }
    }

    public synchronized void addPolicy(SchedulingPolicy policy) {
        addPolicy(policy, Map.of());
    }

    /** A {@link PlanObserver}, told about every completed request on the engine's observer thread. */
    public void addObserver(PlanObserver observer) {
        engine.bindObserver(observer);
    }

    public void removeObserver(PlanObserver observer) {
        engine.unbindObserver(observer);
    }

    /** Completed requests the observers did not get because they fell behind. */
    public long observationsDropped() {
        return engine.observationsDropped();
    }

    /** Adds a policy with extra service properties (e.g. {@code sparoa.policy.costs=true}). */
    public synchronized void addPolicy(SchedulingPolicy policy, Map<String, Object> extraProperties) {
        Map<String, Object> props = new HashMap<>(extraProperties);
        props.put(SchedulingPolicy.PROP_NAME, policy.name());
        props.put("service.id", serviceIds.incrementAndGet());
        properties.put(policy, props);
        engine.bindPolicy(policy, props);
    }

    /**
     * Changes the service properties of a policy already added, as ConfigAdmin does to a DS component that
     * re-publishes its properties (e.g. a new {@code sparoa.policy.version}): same service, new properties.
     */
    public synchronized void updatePolicy(SchedulingPolicy policy, Map<String, Object> extraProperties) {
        Map<String, Object> old = properties.get(policy);
        if (old == null) {
            throw new IllegalArgumentException("policy " + policy.name() + " was not added");
        }
        Map<String, Object> props = new HashMap<>(extraProperties);
        props.put(SchedulingPolicy.PROP_NAME, policy.name());
        props.put("service.id", old.get("service.id"));
        properties.put(policy, props);
        engine.updatedPolicy(policy, props);
    }

    public synchronized void removePolicy(SchedulingPolicy policy) {
        Map<String, Object> props = properties.remove(policy);
        if (props != null) {
            engine.unbindPolicy(policy, props);
        }
    }

    @Override
    public void close() {
        engine.deactivateForTools();
    }

    private static InferenceEngine.Config config(String defaultPolicy, long policyTimeoutMillis,
                                                 boolean measuredChoice, int remeasureAfter, ResourceLimits limits) {
        return new InferenceEngine.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return InferenceEngine.Config.class;
            }

            @Override
            public String defaultPolicy() {
                return defaultPolicy;
            }

            @Override
            public long policyTimeoutMillis() {
                return policyTimeoutMillis;
            }

            @Override
            public int planCacheSize() {
                return 32;
            }

            @Override
            public boolean measuredChoice() {
                return measuredChoice;
            }

            @Override
            public int calibrationRuns() {
                return 2;
            }

            @Override
            public int measuredRuns() {
                return 5;
            }

            @Override
            public int remeasureAfterRequests() {
                return remeasureAfter;
            }

            @Override
            public boolean wholeModelCalibration() {
                return Boolean.parseBoolean(System.getProperty(WHOLE_MODEL_CALIBRATION, "true"));
            }

            @Override
            public long maxModelFileMegabytes() {
                return Math.max(1, limits.maxModelFileBytes() >> 20);
            }

            @Override
            public long maxInputElements() {
                return limits.maxInputElements();
            }

            @Override
            public long maxTensorElements() {
                return limits.maxTensorElements();
            }

            @Override
            public int maxConcurrentRequestsPerModel() {
                return limits.maxConcurrentRequestsPerModel();
            }

            @Override
            public boolean rejectNonFiniteInputs() {
                return true;
            }

            @Override
            public long requestPathWarmupMillis() {
                return Long.getLong(REQUEST_PATH_WARMUP_MILLIS, InferenceEngine.DEFAULT_REQUEST_PATH_WARMUP_MILLIS);
            }
        };
    }
}
