package org.sparoa.policy.greedy.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;
import org.sparoa.api.IslandMerger;
import org.sparoa.api.Placement;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SchedulingPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Policy {@code greedy}: earliest-finish-time list scheduling (see {@link EarliestFinishScheduler}) over the
 * measured cost model, which the engine builds before the first decision because this service declares
 * {@code sparoa.policy.costs=true}. Options: {@code sharedCpu} (default true): CPU backends share one processor;
 * {@code mergeIslands} (default true): then {@link IslandMerger} moves runs of operators back into their
 * neighbours' backend where the hand-over costs at least what the run gains (per-operator earliest finish does
 * not see the transfer back, so without this pass a placement can ping-pong between backends).
 */
@Component(service = SchedulingPolicy.class, property = {
        SchedulingPolicy.PROP_NAME + "=" + GreedyEarliestFinishPolicy.NAME,
        GreedyEarliestFinishPolicy.PROP_NEEDS_COSTS + ":Boolean=true"})
public class GreedyEarliestFinishPolicy implements SchedulingPolicy {
    public static final String NAME = "greedy";
    /** The engine's service property for policies that read operator costs. */
    public static final String PROP_NEEDS_COSTS = "sparoa.policy.costs";
    private static final Logger LOG = LoggerFactory.getLogger(GreedyEarliestFinishPolicy.class);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Placement place(SchedulingContext context) {
        boolean sharedCpu = Boolean.parseBoolean(context.options().getOrDefault("sharedCpu", "true").trim());
        EarliestFinishScheduler.Schedule s = new EarliestFinishScheduler(context, sharedCpu).schedule();
        Map<String, String> placement = new HashMap<>(s.placement());
        if (Boolean.parseBoolean(context.options().getOrDefault("mergeIslands", "true").trim())) {
            List<IslandMerger.Move> moves = new IslandMerger(context.model().graph(), context.backends(),
                    context.costs()).merge(placement);
            LOG.debug("greedy: {} island(s) of {} merged", moves.size(), context.model().id());
        }
        if (s.operatorsWithoutCost() > 0) {
            LOG.warn("greedy: {} of {} operator(s) of {} have no cost on any backend; they follow their inputs",
                    s.operatorsWithoutCost(), context.model().operatorCount(), context.model().id());
        }
        LOG.debug("greedy: {} estimated at {} ms", context.model().id(), s.makespanMillis());
        return new Placement(placement);
    }
}
