package org.sparoa.policy.example.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;

import org.osgi.service.component.annotations.Component;
import org.sparoa.api.BackendView;
import org.sparoa.api.Node;
import org.sparoa.api.Placement;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SchedulingPolicy;
import org.sparoa.api.UnsupportedOperatorException;

/**
 * Policy {@code example}: every operator on the capable backend with the smallest known cost (the engine's cost
 * model, else the backend's own estimate); without any cost, on the best-ranked backend that can run it. The
 * option {@code prefer=<backend id>} puts every operator that backend can run on it.
 *
 * <p>All a policy needs: a DS component offering {@link SchedulingPolicy} with the property
 * {@code sparoa.policy=<name>}, and a {@link #place} that answers a backend id for every operator. The engine
 * checks the answer and falls back to its default policy if this throws, overruns its time budget or answers an
 * operator on a backend that is not live or cannot run it.
 */
@Component(service = SchedulingPolicy.class, property = SchedulingPolicy.PROP_NAME + "=" + ExamplePolicy.NAME)
public class ExamplePolicy implements SchedulingPolicy {
    public static final String NAME = "example";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Placement place(SchedulingContext context) {
        String prefer = context.options().get("prefer");
        Map<String, String> placement = new HashMap<>();
        for (Node node : context.model().graph().nodes()) {
            BackendView chosen = null;
            double chosenMillis = Double.POSITIVE_INFINITY;
            for (BackendView backend : context.backends()) { // best ranked first
                if (!backend.supports(node)) {
                    continue;
                }
                if (backend.id().equals(prefer)) {
                    chosen = backend;
                    break;
                }
                double ms = cost(context, backend, node);
                if (chosen == null || ms < chosenMillis) {
                    chosen = backend;
                    chosenMillis = ms;
                }
            }
            if (chosen == null) {
                throw new UnsupportedOperatorException("example: no live backend runs " + node + "; live backends: "
                        + context.backends().stream().map(BackendView::id).toList());
            }
            placement.put(node.name(), chosen.id());
        }
        return new Placement(placement);
    }

    /** Known cost in ms, else +infinity (so that, without costs, the first capable backend stays chosen). */
    private static double cost(SchedulingContext context, BackendView backend, Node node) {
        OptionalDouble ms = context.costs().operatorMillis(backend.id(), node);
        if (ms.isEmpty()) {
            ms = backend.estimateMillis(node);
        }
        return ms.orElse(Double.POSITIVE_INFINITY);
    }
}
