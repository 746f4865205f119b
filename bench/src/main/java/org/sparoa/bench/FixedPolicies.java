package org.sparoa.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.sparoa.api.BackendView;
import org.sparoa.api.Node;
import org.sparoa.api.Placement;
import org.sparoa.api.PlanSearch;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SchedulingPolicy;

/** Reference placements for the policy evaluation: seeded random placement, and the cheapest plan of k segments. */
final class FixedPolicies {

    private FixedPolicies() {
    }

    /**
     * {@code random}: every operator on a backend drawn uniformly among those that run it, seeded by the option
     * {@code seed} (default 1), so that a plan is repeatable.
     */
    static final class RandomPlacement implements SchedulingPolicy {
        @Override
        public String name() {
            return "random";
        }

        @Override
        public Placement place(SchedulingContext context) {
            Random random = new Random(context.intOption("seed", 1));
            Map<String, String> p = new HashMap<>();
            for (Node n : context.model().graph().nodes()) {
                List<BackendView> able = context.backends().stream().filter(b -> b.supports(n)).toList();
                if (able.isEmpty()) {
                    throw new IllegalArgumentException("no live backend runs " + n.name() + " (" + n.opType() + ")");
                }
                p.put(n.name(), able.get(random.nextInt(able.size())).id());
            }
            return new Placement(p);
        }
    }

    /**
     * {@code cut}: the cheapest plan of at most {@code segments} segments by the engine's cost model
     * ({@link PlanSearch#bestWithAtMost}, an exact search over cut points on a chain), timed as placed.
     */
    static final class CheapestCut implements SchedulingPolicy {
        static final Map<String, Object> SERVICE_PROPERTIES = Map.of(SchedulingPolicy.PROP_NEEDS_COSTS, true);

        @Override
        public String name() {
            return "cut";
        }

        @Override
        public Placement place(SchedulingContext context) {
            int k = context.intOption("segments", 2);
            return new Placement(PlanSearch.bestWithAtMost(context.model().graph(), context.backends(),
                    context.costs(), k).orElseThrow(() -> new IllegalArgumentException(
                            "no plan of at most " + k + " segments runs every operator")).placement());
        }
    }
}
