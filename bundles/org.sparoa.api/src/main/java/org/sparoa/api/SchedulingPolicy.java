package org.sparoa.api;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A placement strategy: the plugin SPI for scheduling. Registered as an OSGi service with the property
 * {@value #PROP_NAME}. A policy is a pure function of its {@link SchedulingContext}: the engine's planning pipeline
 * has calibrated and analysed the model and priced its operators and hand-overs before it asks, and validates every
 * placement afterwards, falling back to {@value #FIRST_CAPABLE} when a policy throws, times out, or places an
 * operator on a backend that is not live or cannot run it. A policy must not call the
 * {@link InferenceService}.
 */
@ConsumerType
public interface SchedulingPolicy {
    /** Service property: the policy's name, as requests give it. */
    String PROP_NAME = "sparoa.policy";
    /**
     * Service property ({@code Boolean}): the policy reads measured operator and hand-over costs
     * ({@link SchedulingContext#costs()}), so the engine profiles the model's operators on the live backends first.
     */
    String PROP_NEEDS_COSTS = "sparoa.policy.costs";
    /**
     * Service property ({@code Boolean}): the engine times the policy's plan on the first request's inputs against
     * the whole model on each single backend that can run it, and keeps the fastest.
     */
    String PROP_MEASURED_CHOICE = "sparoa.policy.measured";
    /**
     * Service property: a version a policy may declare for its decisions (e.g. bumped when its configuration
     * changes what it answers). Cached plans are keyed by it together with the policy bundle's name and version.
     */
    String PROP_VERSION = "sparoa.policy.version";
    /**
     * Service property ({@code Boolean}): the policy's decisions depend on the backends' live {@link DeviceState}.
     * The engine then keys its cached plans also by each backend's load class (its state quantised: queue depth,
     * recent slowdown, utilisation, availability), so the first request after a backend's class changes is planned
     * anew, and a plan made for a class seen before is reused when that class comes back.
     *
     * @since 1.5
     */
    String PROP_LIVE_STATE = "sparoa.policy.livestate";
    /** The engine's built-in policy: every operator on the best-ranked live backend that can run it. */
    String FIRST_CAPABLE = "first-capable";

    String name();

    Placement place(SchedulingContext context) throws Exception;

    /**
     * The placements worth timing, best first: the first is the policy's plan (what {@link #place} answers); the
     * others are alternatives, e.g. the cheapest plans with few segments ({@link PlanSearch#candidates}), because a
     * cost model summed per operator misses what a whole segment saves. Only for a policy with
     * {@link #PROP_MEASURED_CHOICE}: the engine validates each, times the valid ones (at most a few, ranked by
     * {@link PlanCost}) with every single backend on the first request's inputs and keeps the fastest; otherwise
     * only {@link #place} is asked. Same budget and purity as {@link #place}.
     *
     * @since 1.4
     */
    default List<Placement> candidates(SchedulingContext context) throws Exception {
        return List.of(place(context));
    }

    /**
     * Why the policy places as it does on this context, one line per decision or group of decisions (e.g. the state
     * it saw and the probabilities of its actions), for {@code sparoa:schedule --explain}: asked only when a request
     * sets the policy option {@value PlanDescription#EXPLAIN}, after {@link #place}; the lines reach the plan's
     * {@link PlanDescription#explanation()}. Same purity as {@link #place}.
     *
     * @since 1.5
     */
    default List<String> explain(SchedulingContext context) throws Exception {
        return List.of();
    }
}
