package org.sparoa.policy.greedy.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;
import org.sparoa.api.Graph;
import org.sparoa.api.Placement;
import org.sparoa.api.PlanCost;
import org.sparoa.api.PlanSearch;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SchedulingPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Policy {@code greedy}: the cheapest placement by {@link PlanCost} (operators + a fixed cost per segment + every
 * hand-over, all measured by the engine, which profiles first because this service declares
 * {@link SchedulingPolicy#PROP_NEEDS_COSTS}), searched by {@link PlanSearch} from three kinds of start: the
 * earliest-finish-time schedule ({@link EarliestFinishScheduler}), each single backend that runs the whole model,
 * and every operator on its cheapest backend. The engine then times the result against each single backend
 * ({@link SchedulingPolicy#PROP_MEASURED_CHOICE}), together with the cheapest plans of at most 2, 3 and 4 segments
 * ({@link #candidates}). Option {@code sharedCpu} (default true): CPU backends share one
 * processor in the earliest-finish estimate.
 */
@Component(service = SchedulingPolicy.class, property = {
        SchedulingPolicy.PROP_NAME + "=" + GreedyEarliestFinishPolicy.NAME,
        SchedulingPolicy.PROP_NEEDS_COSTS + ":Boolean=true",
        SchedulingPolicy.PROP_MEASURED_CHOICE + ":Boolean=true"})
public class GreedyEarliestFinishPolicy implements SchedulingPolicy {
    public static final String NAME = "greedy";
    /** The service properties of the component, for use outside OSGi ({@code LocalPlatform.addPolicy}). */
    public static final Map<String, Object> SERVICE_PROPERTIES = Map.of(SchedulingPolicy.PROP_NEEDS_COSTS, true,
            SchedulingPolicy.PROP_MEASURED_CHOICE, true);
    private static final Logger LOG = LoggerFactory.getLogger(GreedyEarliestFinishPolicy.class);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Placement place(SchedulingContext context) {
        return new Placement(search(context).placement());
    }

    /**
     * The cheapest plan, then the cheapest plans of at most {@link PlanSearch#FEW_SEGMENTS} segments that differ from
     * it ({@link PlanSearch#candidates}): the engine times them all and keeps the fastest.
     */
    @Override
    public List<Placement> candidates(SchedulingContext context) {
        PlanSearch.Result best = search(context);
        return PlanSearch.candidates(context.model().graph(), context.backends(), context.costs(), best.placement(),
                PlanSearch.FEW_SEGMENTS).stream().map(Placement::new).toList();
    }

    private PlanSearch.Result search(SchedulingContext context) {
        boolean sharedCpu = Boolean.parseBoolean(context.options().getOrDefault("sharedCpu", "true").trim());
        Graph graph = context.model().graph();
        EarliestFinishScheduler.Schedule s = new EarliestFinishScheduler(context, sharedCpu).schedule();
        List<Map<String, String>> starts = new ArrayList<>();
        starts.add(s.placement());
        context.backends().forEach(b -> starts.add(PlanSearch.allOn(graph, b)));
        starts.add(PlanSearch.cheapestPerOperator(graph, context.backends(), context.costs()));
        PlanSearch.Result best = PlanSearch.best(graph, context.backends(), context.costs(), starts);
        if (s.operatorsWithoutCost() > 0) {
            LOG.warn("greedy: {} of {} operator(s) of {} have no cost on any backend", s.operatorsWithoutCost(),
                    context.model().operatorCount(), context.model().id());
        }
        LOG.info("greedy: {} estimated at {} ms in {} segment(s) with {} hand-over(s)", context.model().id(),
                String.format("%.3f", best.estimate().totalMillis()), best.estimate().segments(),
                best.estimate().handovers());
        return best;
    }
}
