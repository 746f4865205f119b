package org.sparoa.policy.sac.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.api.Placement;
import org.sparoa.api.PlanSearch;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SchedulingPolicy;
import org.sparoa.api.learn.SoftActorCritics;
import org.sparoa.api.predict.ThresholdPredictor;

/**
 * Policy {@code sac}: a trained soft actor-critic agent places the operators one by one in topological order, each on
 * the backend slot its actor gives the highest probability ({@link GreedyRollout}: one pass, no search), from the
 * state {@link StateEncoder} builds out of the engine's cost model, the backends' live state and, when the
 * {@link ThresholdPredictor} service is present, the predicted thresholds. It reads costs and live state
 * ({@link SchedulingPolicy#PROP_NEEDS_COSTS}, {@link SchedulingPolicy#PROP_LIVE_STATE}), so the engine re-plans when
 * a backend's load class changes, and asks for the engine's measured choice
 * ({@link SchedulingPolicy#PROP_MEASURED_CHOICE}): its plan, and the cheapest plans with few cut points
 * ({@link #candidates}), are timed against each single backend on the first request of each load class and the
 * fastest is kept, as for {@code greedy} and {@code threshold}, because the cost model it
 * was trained on under-prices segment boundaries. The agent's weights: the newest version under the configured directory (default
 * {@code ${karaf.data}/sparoa/sac/}, written by {@code sparoa:train sac}), else the default shipped in the bundle;
 * without usable weights, or on a context it cannot place (an operator no slot runs), it throws saying why and the
 * engine falls back.
 */
@Component(service = {SchedulingPolicy.class, SacPolicy.class}, configurationPid = SacPolicy.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = {SchedulingPolicy.PROP_NAME + "=" + SacPolicy.NAME,
                SchedulingPolicy.PROP_NEEDS_COSTS + ":Boolean=true",
                SchedulingPolicy.PROP_LIVE_STATE + ":Boolean=true",
                SchedulingPolicy.PROP_MEASURED_CHOICE + ":Boolean=true"})
@Designate(ocd = SacConfig.class)
public class SacPolicy implements SchedulingPolicy {
    public static final String NAME = "sac";
    public static final String PID = "org.sparoa.policy.sac";
    /** The service properties of the component, for use outside OSGi ({@code LocalPlatform.addPolicy}). */
    public static final Map<String, Object> SERVICE_PROPERTIES = Map.of(SchedulingPolicy.PROP_NEEDS_COSTS, true,
            SchedulingPolicy.PROP_LIVE_STATE, true, SchedulingPolicy.PROP_MEASURED_CHOICE, true);
    private static final Logger LOG = LoggerFactory.getLogger(SacPolicy.class);

    /** One decision: the placement, its estimated time, where the weights came from, and the explanation if asked. */
    public record Decision(Placement placement, double estimatedMillis, String weights, List<String> explanation) {
    }

    /** Contexts of the models placed lately, so that training can use the engine's own cost model. */
    private static final int RECENT_CONTEXTS = 8;

    private final CurrentAgent agent;
    private final WeightsStore store;
    private final Map<String, SchedulingContext> recent = new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, SchedulingContext> eldest) {
            return size() > RECENT_CONTEXTS;
        }
    };
    private final AtomicReference<ThresholdPredictor> predictor = new AtomicReference<>();

    @Activate
    public SacPolicy(@Reference SoftActorCritics agents, SacConfig config) {
        this(agents, config.directory().isBlank() ? defaultDirectory() : Path.of(config.directory()));
    }

    /** Outside OSGi (tools, tests, benchmarks): weights from {@code directory}, else the bundle's default. */
    public SacPolicy(SoftActorCritics agents, Path directory) {
        this.store = new WeightsStore(directory);
        this.agent = new CurrentAgent(agents, store);
    }

    /** Where versioned weights are saved and the newest is read from. */
    WeightsStore store() {
        return store;
    }

    /** The weights the next decision uses (the newest stored version, else the bundle's default). */
    synchronized SacWeights currentWeights() {
        return agent.get().weights();
    }

    /** The threshold predictor bound now, or null. */
    ThresholdPredictor predictor() {
        return predictor.get();
    }

    /** {@code ${karaf.data}/sparoa/sac}, where {@code sparoa:train sac} saves. */
    public static Path defaultDirectory() {
        return Path.of(System.getProperty("karaf.data", "data"), "sparoa", "sac");
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void bindPredictor(ThresholdPredictor p) {
        predictor.set(p);
    }

    public void unbindPredictor(ThresholdPredictor p) {
        predictor.compareAndSet(p, null);
    }

    @Deactivate
    public synchronized void close() {
        recent.clear();
        agent.close();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Placement place(SchedulingContext context) {
        return decide(context, false).placement();
    }

    /**
     * The agent's plan, then the cheapest plans of at most {@link PlanSearch#FEW_SEGMENTS} segments by the cost
     * model that differ from it ({@link PlanSearch#candidates}), for the engine's measured choice: the agent learned
     * on a cost model that under-prices segment boundaries, so a plan with few cut points is timed beside its own.
     */
    @Override
    public List<Placement> candidates(SchedulingContext context) {
        Placement mine = place(context);
        return PlanSearch.candidates(context.model().graph(), context.backends(), context.costs(),
                mine.backendByNode(), PlanSearch.FEW_SEGMENTS).stream().map(Placement::new).toList();
    }

    /** The context of the model's latest decision, if it was among the last few models placed. */
    public synchronized java.util.Optional<SchedulingContext> recentContext(String modelId) {
        return java.util.Optional.ofNullable(recent.get(modelId));
    }

    /** One line about the weights, then per operator: the state in words and the action probabilities. */
    @Override
    public List<String> explain(SchedulingContext context) {
        Decision d = decide(context, true);
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "sac: %s, weights %s, estimated %.3f ms", context.model().id(),
                d.weights(), d.estimatedMillis()));
        lines.addAll(d.explanation());
        return lines;
    }

    /**
     * The agent's placement. Throws {@link IllegalStateException} without usable weights and
     * {@link IllegalArgumentException} naming an operator none of the backend slots can run.
     */
    public synchronized Decision decide(SchedulingContext context, boolean explain) {
        recent.put(context.model().id(), context);
        CurrentAgent.Loaded loaded = agent.get();
        CostEnvironment env = CostEnvironment.of(context, ThresholdFeatures.of(context, predictor.get()));
        GreedyRollout.Decision d = GreedyRollout.run(loaded.actor(), new PlacementEpisode(env), explain);
        LOG.debug("sac: {} placed with {}: {} ms estimated", context.model().id(), loaded.origin(), d.totalMillis());
        return new Decision(new Placement(d.placement()), d.totalMillis(), loaded.origin(), d.explanation());
    }
}
