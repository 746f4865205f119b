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
     * This environment with every backend idle ({@link ScenarioBackend#idle}) and showing the recent slowdown
     * {@code slowdown} (1, or NaN for unknown): the live state a training scenario starts from.
     */
    CostEnvironment idle(double slowdown) {
        List<BackendView> idle = backends.stream().map(b -> (BackendView) ScenarioBackend.idle(b, slowdown)).toList();
        return new CostEnvironment(name + (Double.isNaN(slowdown) ? " (idle)" : " (idle, slowdown known)"), graph,
                idle, observed, actual, analysis, thresholds);
    }

    /**
     * This environment while another application loads backend {@code backendId}: its operators and segments take
     * {@code factor} times as long, and its live state shows it ({@link ScenarioBackend#loaded}); the other backends
     * keep their state, and the observed costs stay those measured idle, as the engine's cost model does.
     */
    CostEnvironment withLoad(String backendId, double factor) {
        List<BackendView> loaded = new ArrayList<>();
        boolean found = false;
        for (BackendView b : backends) {
            if (b.id().equals(backendId)) {
                BackendView inner = b instanceof ScenarioBackend s ? s.inner() : b;
                loaded.add(ScenarioBackend.loaded(inner, factor));
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

    /**
     * The training scenarios of this environment: every backend idle with the slowdown unknown and known, then for
     * each of the first {@link StateEncoder#SLOTS} backends, that one loaded by each of {@code loadFactors}.
     */
    List<CostEnvironment> scenarios(List<Double> loadFactors) {
        List<CostEnvironment> out = new ArrayList<>();
        out.add(idle(Double.NaN));
        CostEnvironment known = idle(1);
        out.add(known);
        for (BackendView b : backends.subList(0, Math.min(StateEncoder.SLOTS, backends.size()))) {
            for (double f : loadFactors) {
                out.add(known.withLoad(b.id(), f));
            }
        }
        return out;
    }
}
