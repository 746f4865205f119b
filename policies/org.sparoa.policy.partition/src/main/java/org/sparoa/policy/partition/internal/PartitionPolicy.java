package org.sparoa.policy.partition.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;
import org.sparoa.api.BackendView;
import org.sparoa.api.Node;
import org.sparoa.api.Placement;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SchedulingPolicy;

/**
 * Policy {@code partition}: cuts the operators, in topological order, into {@code segments} contiguous parts of
 * near-equal operator count and deals the parts round-robin over the live backends (option {@code backends}, a
 * comma-separated id list, restricts and orders them). An operator whose part's backend cannot run it goes to
 * the first listed backend that can. For pipelining experiments and for proving multi-segment execution.
 */
@Component(service = SchedulingPolicy.class, property = SchedulingPolicy.PROP_NAME + "=" + PartitionPolicy.NAME)
public class PartitionPolicy implements SchedulingPolicy {
    public static final String NAME = "partition";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Placement place(SchedulingContext context) {
        List<Node> nodes = context.model().graph().nodes();
        int parts = Math.max(1, Math.min(context.intOption("segments", 2), Math.max(1, nodes.size())));
        List<BackendView> backends = context.backends();
        String only = context.options().get("backends");
        if (only != null && !only.isBlank()) {
            List<String> ids = List.of(only.split("\\s*,\\s*"));
            backends = ids.stream().map(id -> context.backends().stream().filter(b -> b.id().equals(id)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("partition: backend " + id + " is not live")))
                    .toList();
        }
        if (backends.isEmpty()) {
            throw new IllegalStateException("partition: no live backend");
        }
        Map<String, String> placement = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            int part = (int) ((long) i * parts / nodes.size());
            BackendView preferred = backends.get(part % backends.size());
            Node node = nodes.get(i);
            BackendView chosen = preferred.supports(node) ? preferred
                    : backends.stream().filter(b -> b.supports(node)).findFirst().orElse(preferred);
            placement.put(node.name(), chosen.id());
        }
        return new Placement(placement);
    }
}
