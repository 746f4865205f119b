package org.sparoa.engine.internal;

import java.util.HashMap;
import java.util.Map;

import org.sparoa.api.BackendView;
import org.sparoa.api.Node;
import org.sparoa.api.Placement;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SchedulingPolicy;
import org.sparoa.api.UnsupportedOperatorException;

/**
 * The engine's built-in fallback: every operator on the best-ranked live backend that supports it. It never
 * fails while each operator has some capable backend, so the engine can always fall back to it.
 */
final class FirstCapablePolicy implements SchedulingPolicy {
    static final String NAME = SchedulingPolicy.FIRST_CAPABLE;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Placement place(SchedulingContext context) {
        Map<String, String> placement = new HashMap<>();
        for (Node node : context.model().graph().nodes()) {
            String chosen = null;
            for (BackendView b : context.backends()) {
                if (b.supports(node)) {
                    chosen = b.id();
                    break;
                }
            }
            if (chosen == null) {
                throw new UnsupportedOperatorException("no live backend supports operator " + node.name() + " ("
                        + node.opType() + (node.domain().isEmpty() ? "" : ", domain " + node.domain()) + "); live backends: "
                        + context.backends().stream().map(BackendView::id).toList());
            }
            placement.put(node.name(), chosen);
        }
        return new Placement(placement);
    }
}
