package org.sparoa.policy.sac.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.api.CompletedRequest;
import org.sparoa.api.CostModel;
import org.sparoa.api.Graph;
import org.sparoa.api.Node;
import org.sparoa.api.PlanObserver;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SegmentPlan;
import org.sparoa.api.SegmentTiming;
import org.sparoa.api.learn.SoftActorCritic;
import org.sparoa.api.learn.SoftActorCritics;
import org.sparoa.api.learn.Transition;

/**
 * Online fine-tuning of the {@code sac} agent from the engine's real segment timings, in the background. Every
 * completed request that {@code sac} planned tells, per segment, how long the segment really ran against what the
 * engine's cost model (the costs the agent decided on) expected — hand-overs into the segment included; per model
 * and backend this keeps a recency-weighted ratio, measured over expected. It also keeps the model's latest plan as
 * it ran ({@link MeasuredPlan}): its segments' times and the request's time outside them. When a model has
 * {@link Config#minObservations()} new observations and some backend's ratio, or the whole plan's measured time over
 * its estimate, is off by at least {@link Config#minCorrection()}, one round runs on a single low-priority thread: the
 * agent in use is restored, trained for at most {@link Config#episodes()} episodes and {@link Config#roundSeconds()}
 * on the model's scenarios (idle and loaded, as offline) whose actual costs are the cost model's corrected by those
 * ratios and by the measured time outside segments (per segment) while the state still shows the cost model (what
 * the agent will see when it decides), with the plan that ran among its experience as a {@link MeasuredEpisode} (its
 * return minus the measured request time), and saved as the next weights version only if its plans are cheaper
 * under the corrected costs than the agent in use. CPU is bounded twice: within a round the thread works
 * {@link Config#burstShare()} of the time and sleeps the rest ({@link DutyCycle}), so that requests served meanwhile
 * keep the cores most of the time; and after a round that worked {@code w} seconds the next starts no sooner than
 * {@code w / maxCpuShare} after the first began. Never on the request path: the engine delivers
 * observations on its observer thread, and this class only adds them up there. A new version is used from the
 * policy's next decision (the engine plans a model again when a backend's load class changes, when the model is
 * loaded again, and when the policy bundle is updated).
 */
@Component(service = {PlanObserver.class, OnlineTuning.class}, configurationPid = OnlineTuning.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = OnlineTuning.Config.class)
public class OnlineTuning implements PlanObserver {
    public static final String PID = "org.sparoa.policy.sac.online";
    private static final Logger LOG = LoggerFactory.getLogger(OnlineTuning.class);
    /** Each new observation of a model's backend weighs this much more than the one before it (per observation). */
    static final double DECAY = 0.98;
    /** Ratios are clamped to this range: one odd request (a GC pause) must not make a backend look 50x slower. */
    static final double MAX_FACTOR = 4;

    @ObjectClassDefinition(name = "SparOA SAC online fine-tuning",
            description = "Fine-tunes the sac agent in the background from the engine's measured segment times")
    public @interface Config {
        @AttributeDefinition(description = "Fine-tune from the engine's segment timings")
        boolean enabled() default true;

        @AttributeDefinition(description = "New observations of a model's sac plans before a round may start")
        int minObservations() default 50;

        @AttributeDefinition(description = "A round starts only when some backend's measured/expected ratio is off"
                + " from 1 by at least this much (0.15 = 15 %)")
        double minCorrection() default 0.15;

        @AttributeDefinition(description = "Most training episodes in one round")
        int episodes() default 200;

        @AttributeDefinition(description = "Most seconds of training in one round")
        int roundSeconds() default 10;

        @AttributeDefinition(description = "Share of one core the rounds may use over time (0.05 = 5 %)")
        double maxCpuShare() default 0.05;

        @AttributeDefinition(description = "Within a round, the share of wall-clock time the tuning thread works; it"
                + " sleeps the rest, in slices of 20 ms of work, so that requests served meanwhile find the cores"
                + " free most of the time (1 = no pauses)")
        double burstShare() default 0.25;
    }

    /**
     * The settings in force (outside OSGi: tests, tools). {@code roundMillis} is the work of a round; with pauses
     * ({@code burstShare} below 1) the round takes {@code roundMillis / burstShare} of wall-clock time at most.
     */
    public record Settings(boolean enabled, int minObservations, double minCorrection, int episodes,
                           long roundMillis, double maxCpuShare, double burstShare) {
        public Settings {
            minObservations = Math.max(1, minObservations);
            minCorrection = Math.max(0, minCorrection);
            episodes = Math.max(1, episodes);
            roundMillis = Math.max(1, roundMillis);
            maxCpuShare = Math.min(1, Math.max(1e-3, maxCpuShare));
            burstShare = Math.min(1, Math.max(0.01, burstShare));
        }

        /** Rounds that work without pauses. */
        public Settings(boolean enabled, int minObservations, double minCorrection, int episodes, long roundMillis,
                        double maxCpuShare) {
            this(enabled, minObservations, minCorrection, episodes, roundMillis, maxCpuShare, 1);
        }

        static Settings of(Config c) {
            return new Settings(c.enabled(), c.minObservations(), c.minCorrection(), c.episodes(),
                    c.roundSeconds() * 1000L, c.maxCpuShare(), c.burstShare());
        }
    }

    /**
     * What one round did: the ratios it corrected by, the episodes it completed and the agent updates it made (a round
     * on a large model may end its time budget before its first episode ends, having updated the agent all the same),
     * the plan costs before and after, and the file saved.
     */
    public record Round(String modelId, Map<String, Double> factors, int episodes, long updates, double beforeMillis,
                        double afterMillis, Path saved, String outcome, MeasuredRun measured) {
    }

    /**
     * The plan that ran, as a round used it: its mean measured request time, the cost model's estimate of it, the
     * requests averaged, the measured time outside segments charged per segment, and the transitions replayed from it
     * (0 when it could not be replayed: a plan of another model version or backend set).
     */
    public record MeasuredRun(double measuredMillis, double expectedMillis, int requests,
                              double outsidePerSegmentMillis, int transitions) {
        static final MeasuredRun NONE = new MeasuredRun(Double.NaN, Double.NaN, 0, 0, 0);
    }

    /** Per model, per backend: recency-weighted sums of measured and expected segment times. */
    static final class Observed {
        private final Map<String, double[]> byBackend = new LinkedHashMap<>();
        private int fresh;

        synchronized void add(String backend, double measuredMillis, double expectedMillis) {
            byBackend.values().forEach(s -> {
                s[0] *= DECAY;
                s[1] *= DECAY;
            });
            double[] s = byBackend.computeIfAbsent(backend, k -> new double[2]);
            s[0] += measuredMillis;
            s[1] += expectedMillis;
        }

        synchronized void request() {
            fresh++;
        }

        synchronized int fresh() {
            return fresh;
        }

        synchronized void consumed() {
            fresh = 0;
        }

        /** Measured over expected per backend, clamped to [1/{@value #MAX_FACTOR}, {@value #MAX_FACTOR}]. */
        synchronized Map<String, Double> factors() {
            Map<String, Double> out = new LinkedHashMap<>();
            byBackend.forEach((b, s) -> {
                if (s[1] > 0 && s[0] > 0) {
                    out.put(b, Math.min(MAX_FACTOR, Math.max(1 / MAX_FACTOR, s[0] / s[1])));
                }
            });
            return out;
        }
    }

    private final SacPolicy policy;
    private final SoftActorCritics agents;
    private final Settings settings;
    private final Consumer<Round> onRound;
    private final Map<String, Observed> observed = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, MeasuredPlan> runs = new java.util.concurrent.ConcurrentHashMap<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sparoa-sac-online");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        return t;
    });
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long notBeforeNanos = Long.MIN_VALUE;
    private int rounds;

    @Activate
    public OnlineTuning(@Reference SacPolicy policy, @Reference SoftActorCritics agents, Config config) {
        this(policy, agents, Settings.of(config), r -> { });
    }

    /** Outside OSGi: {@code onRound} is told about every round that ran (on the tuning thread). */
    public OnlineTuning(SacPolicy policy, SoftActorCritics agents, Settings settings, Consumer<Round> onRound) {
        this.policy = policy;
        this.agents = agents;
        this.settings = settings;
        this.onRound = onRound;
    }

    /** Stops a round in progress at its next episode and waits (a few seconds at most) for the thread to end. */
    @Deactivate
    public void close() {
        closed.set(true);
        worker.shutdownNow();
        try {
            if (!worker.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)) {
                LOG.warn("sac online: the tuning thread did not end within 10 s of the bundle stopping");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void completed(CompletedRequest request) {
        if (!settings.enabled() || !SacPolicy.NAME.equals(request.plan().policy())) {
            return;
        }
        Optional<SchedulingContext> context = policy.recentContext(request.modelId());
        if (context.isEmpty() || !record(request, context.get())) {
            return;
        }
        if (due(request.modelId()) && busy.compareAndSet(false, true)) {
            try {
                worker.execute(() -> {
                    try {
                        runRound(request.modelId());
                    } finally {
                        busy.set(false);
                    }
                });
            } catch (RejectedExecutionException e) {
                busy.set(false); // closed
            }
        }
    }

    /** Adds the request's segments to its model's ratios; false when the plan does not match the context. */
    boolean record(CompletedRequest request, SchedulingContext context) {
        List<SegmentPlan> segments = request.plan().segments();
        Map<String, String> placement = new HashMap<>();
        for (SegmentPlan s : segments) {
            s.nodeNames().forEach(n -> placement.put(n, s.backendId()));
        }
        Graph graph = context.model().graph();
        if (placement.size() != graph.nodes().size()) {
            return false; // a plan of another version of the model
        }
        Observed o = observed.computeIfAbsent(request.modelId(), k -> new Observed());
        double[] expected = new double[segments.size()];
        double planExpected = 0;
        for (int s = 0; s < segments.size(); s++) {
            expected[s] = expectedMillis(graph, segments.get(s), placement, context.costs());
            planExpected += expected[s];
        }
        runs.computeIfAbsent(request.modelId(), k -> new MeasuredPlan(DECAY)).add(request, planExpected);
        for (SegmentTiming t : request.timings()) {
            if (t.segment() < 0 || t.segment() >= segments.size()) {
                continue;
            }
            if (expected[t.segment()] > 0 && t.millis() > 0) {
                o.add(segments.get(t.segment()).backendId(), t.millis(), expected[t.segment()]);
            }
        }
        o.request();
        return true;
    }

    /**
     * What the cost model expects of one segment: its per-segment cost, its operators on its backend, and the
     * hand-over of each tensor it reads from a segment on another backend.
     */
    static double expectedMillis(Graph graph, SegmentPlan segment, Map<String, String> placement, CostModel costs) {
        String backend = segment.backendId();
        Set<String> mine = new HashSet<>(segment.nodeNames());
        Set<String> handed = new HashSet<>();
        double ms = costs.segmentMillis(backend);
        for (String name : segment.nodeNames()) {
            Node n = graph.node(name).orElse(null);
            if (n == null) {
                continue;
            }
            ms += costs.operatorMillis(backend, n).orElse(0);
            for (String t : n.inputs()) {
                Optional<Node> producer = t.isEmpty() ? Optional.empty() : graph.producer(t);
                if (producer.isPresent() && !mine.contains(producer.get().name()) && handed.add(t)) {
                    String from = placement.getOrDefault(producer.get().name(), backend);
                    if (!from.equals(backend)) {
                        ms += costs.transferMillis(from, backend, t);
                    }
                }
            }
        }
        return ms;
    }

    /**
     * Whether {@code modelId} has enough new observations and a backend's ratio, or its plan's measured time over the
     * estimate, far enough from 1, and no round is waiting.
     */
    boolean due(String modelId) {
        Observed o = observed.get(modelId);
        if (o == null || o.fresh() < settings.minObservations() || System.nanoTime() < notBeforeNanos) {
            return false;
        }
        if (o.factors().values().stream().anyMatch(f -> Math.abs(f - 1) >= settings.minCorrection())) {
            return true;
        }
        Optional<MeasuredPlan.Snapshot> run = measured(modelId);
        return run.isPresent() && run.get().expectedMillis() > 0
                && Math.abs(run.get().totalMillis() / run.get().expectedMillis() - 1) >= settings.minCorrection();
    }

    /** The model's latest plan as it ran (empty before a request {@code sac} planned). */
    Optional<MeasuredPlan.Snapshot> measured(String modelId) {
        MeasuredPlan p = runs.get(modelId);
        return p == null ? Optional.empty() : p.snapshot();
    }

    /** The model's measured/expected ratios per backend so far (empty before a request {@code sac} planned). */
    public Map<String, Double> factors(String modelId) {
        Observed o = observed.get(modelId);
        return o == null ? Map.of() : o.factors();
    }

    private void runRound(String modelId) {
        long start = System.nanoTime();
        DutyCycle pacing = new DutyCycle(settings.burstShare(), closed::get);
        try {
            Round r = tune(modelId, pacing);
            LOG.info("sac online: {}", describe(r));
            onRound.accept(r);
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("sac online: a round on {} failed: {}", modelId, e.toString(), e);
        } finally {
            long elapsed = System.nanoTime() - start;
            long worked = Math.max(0, elapsed - pacing.sleptNanos());
            notBeforeNanos = start + Math.max(elapsed, (long) (worked / settings.maxCpuShare()));
        }
    }

    /** One round on {@code modelId}, on the calling thread, without pauses. */
    Round tune(String modelId) {
        return tune(modelId, new DutyCycle(1, closed::get));
    }

    /** One round on {@code modelId}, on the calling thread, paced by {@code pacing} (asked between steps). */
    Round tune(String modelId, DutyCycle pacing) {
        SchedulingContext context = policy.recentContext(modelId).orElseThrow(() ->
                new IllegalStateException("no recent sac decision on " + modelId));
        Observed o = observed.computeIfAbsent(modelId, k -> new Observed());
        Map<String, Double> factors = o.factors();
        o.consumed();
        Optional<MeasuredPlan.Snapshot> run = measured(modelId);
        double outsidePerSegment = run.map(MeasuredPlan.Snapshot::outsidePerSegmentMillis).orElse(0.0);
        SacWeights current = policy.currentWeights();
        CostEnvironment base = CostEnvironment.of(context, ThresholdFeatures.of(context, policy.predictor()));
        CostModel asMeasured = new ScaledBackendCosts(base.actual(), factors, outsidePerSegment);
        CostEnvironment corrected = new CostEnvironment(base.name() + " (as measured)", base.graph(),
                base.backends(), base.observed(), asMeasured, base.analysis(), base.thresholds());
        List<CostEnvironment> scenarios = corrected.scenarios(OfflineTraining.LOAD_FACTORS);
        // the plan that ran, replayed where the agent decided: the live state as it is, the costs as measured
        Optional<MeasuredEpisode.Result> replayed = run.flatMap(p -> MeasuredEpisode.of(corrected, p));
        List<Transition> measuredSteps = replayed.map(MeasuredEpisode.Result::transitions).orElse(List.of());
        MeasuredRun measuredRun = run.map(p -> new MeasuredRun(p.totalMillis(), p.expectedMillis(), p.requests(),
                outsidePerSegment, measuredSteps.size())).orElse(MeasuredRun.NONE);
        int round = ++rounds;
        try (SoftActorCritic agent = agents.restore(current.spec(), current.weights(), round)) {
            double[] before = planMillis(agent, scenarios);
            SacTrainer.Result r = new SacTrainer(SacTrainer.Settings.of(settings.episodes(), round,
                    (long) Math.ceil(settings.roundMillis() / settings.burstShare())))
                    .train(agent, scenarios, measuredSteps, (done, total, rec, stats) -> { }, pacing);
            if (r.cancelled()) {
                return new Round(modelId, factors, r.curve().size(), r.updates(), before[0], before[0], null,
                        "cancelled", measuredRun);
            }
            double[] after = planMillis(agent, scenarios);
            boolean better = after[1] < before[1] * 0.995 && after[0] <= before[0] * 1.001;
            if (!better) {
                return new Round(modelId, factors, r.curve().size(), r.updates(), before[0], after[0], null,
                        "kept the weights in use: the tuned agent's plans were not cheaper", measuredRun);
            }
            Map<String, String> info = new LinkedHashMap<>(current.info());
            info.put("online", String.format(Locale.ROOT, "round %d on %s, measured/expected %s, plan %.3f ms as"
                    + " run, %d episodes", round, modelId, factors, measuredRun.measuredMillis(), r.curve().size()));
            Path saved = policy.store().save(new SacWeights(current.spec(), current.slots(), current.stateLayout(),
                    info, agent.weights()));
            return new Round(modelId, factors, r.curve().size(), r.updates(), before[0], after[0], saved, "saved",
                    measuredRun);
        } catch (IOException e) {
            throw new IllegalStateException("cannot save the tuned weights: " + e.getMessage(), e);
        }
    }

    /** The agent's greedy plans under the scenarios' actual costs: {idle scenario, sum over all scenarios}. */
    private static double[] planMillis(SoftActorCritic agent, List<CostEnvironment> scenarios) {
        double idle = Double.NaN;
        double sum = 0;
        for (CostEnvironment env : scenarios) {
            double ms = GreedyRollout.run(agent, new PlacementEpisode(env), false).totalMillis();
            if (Double.isNaN(idle)) {
                idle = ms;
            }
            sum += ms;
        }
        return new double[] {idle, sum};
    }

    static String describe(Round r) {
        MeasuredRun m = r.measured();
        return String.format(Locale.ROOT, "%s, measured/expected %s, plan as run %.3f ms (estimated %.3f, %d requests,"
                + " %.3f ms outside each segment, %d steps replayed), %d episodes, %d updates: plan %.3f -> %.3f ms"
                + " (idle, as measured); %s%s", r.modelId(), r.factors(), m.measuredMillis(), m.expectedMillis(),
                m.requests(), m.outsidePerSegmentMillis(), m.transitions(), r.episodes(), r.updates(),
                r.beforeMillis(), r.afterMillis(), r.outcome(), r.saved() == null ? "" : " " + r.saved());
    }
}
