package org.sparoa.policy.sac.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.sparoa.api.BackendView;
import org.sparoa.api.CostModel;
import org.sparoa.api.Graph;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.analysis.ModelAnalysis;
import org.sparoa.api.predict.OperatorThresholds;

/**
 * One placement problem: a graph, its backends (in the context's order) with their live state, the costs a policy
 * sees ({@code observed}: the engine's cost model, measured on idle backends) and the costs the plan really has
 * ({@code actual}: the same unless a scenario loads a backend), the operator analysis and predicted thresholds by
 * operator name when known.
 */
record CostEnvironment(String name, Graph graph, List<BackendView> backends, CostModel observed, CostModel actual,
                       Optional<ModelAnalysis> analysis, Map<String, OperatorThresholds> thresholds) {

    CostEnvironment {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(graph, "graph");
        backends = List.copyOf(backends);
        Objects.requireNonNull(observed, "observed");
        Objects.requireNonNull(actual, "actual");
        analysis = analysis == null ? Optional.empty() : analysis;
        thresholds = thresholds == null ? Map.of() : Map.copyOf(thresholds);
        if (graph.nodes().isEmpty()) {
            throw new IllegalArgumentException("environment " + name + ": the graph has no operators");
        }
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("environment " + name + ": no backends");
        }
    }

    /** What a scheduling decision sees, as it is (no scenario). */
    static CostEnvironment of(SchedulingContext context, Map<String, OperatorThresholds> thresholds) {
        return new CostEnvironment(context.model().id(), context.model().graph(), context.backends(),
                context.costs(), context.costs(), context.analysis(), thresholds);
    }

    /**
     * This environment while another application loads backend {@code backendId}: its operators and segments take
     * {@code factor} times as long, and its live state shows it ({@link LoadedBackend}); the observed costs stay
     * those measured idle, as the engine's cost model does.
     */
    CostEnvironment withLoad(String backendId, double factor) {
        List<BackendView> loaded = new ArrayList<>();
        boolean found = false;
        for (BackendView b : backends) {
            if (b.id().equals(backendId)) {
                loaded.add(new LoadedBackend(b, factor));
                found = true;
            } else {
                loaded.add(b);
            }
        }
        if (!found) {
            throw new IllegalArgumentException("environment " + name + " has no backend " + backendId + "; backends: "
                    + backends.stream().map(BackendView::id).toList());
        }
        return new CostEnvironment(name + " (" + backendId + " loaded x" + factor + ")", graph, loaded, observed,
                new ScaledBackendCosts(actual, Map.of(backendId, factor)), analysis, thresholds);
    }
}
