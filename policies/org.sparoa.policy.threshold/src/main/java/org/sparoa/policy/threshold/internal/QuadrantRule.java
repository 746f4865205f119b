package org.sparoa.policy.threshold.internal;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

import org.sparoa.api.analysis.ModelAnalysis;
import org.sparoa.api.analysis.OperatorMetrics;
import org.sparoa.api.analysis.Thresholds;
import org.sparoa.api.BackendView;
import org.sparoa.api.Node;
import org.sparoa.api.UnsupportedOperatorException;

/**
 * The quadrant rule: an operator whose analysed sparsity is at least s* and whose intensity is below i* (sparse
 * and light) goes to the sparse backend; every other operator, and any whose sparsity or intensity is unknown,
 * goes to the dense backend. An operator its backend cannot run goes to the other one, else to the best-ranked
 * live backend that can.
 */
final class QuadrantRule {

    /** The rule's placement, and which operators it classified as sparse and light. */
    record Decision(Map<String, String> placement, Set<String> sparseLight) {
    }

    private QuadrantRule() {
    }

    static boolean sparseAndLight(OperatorMetrics m, Thresholds t) {
        OptionalDouble s = m.sparsity();
        OptionalDouble i = m.intensity();
        return s.isPresent() && i.isPresent() && s.getAsDouble() >= t.sparsity() && i.getAsDouble() < t.intensity();
    }

    static Decision apply(List<Node> nodes, ModelAnalysis analysis, Thresholds thresholds, BackendView sparse,
                          BackendView dense, List<BackendView> live) {
        return apply(nodes, analysis, thresholds, Map.of(), sparse, dense, live);
    }

    /** As above, with per-operator thresholds (the predictor's) where {@code perOperator} has them. */
    static Decision apply(List<Node> nodes, ModelAnalysis analysis, Thresholds thresholds,
                          Map<String, Thresholds> perOperator, BackendView sparse, BackendView dense,
                          List<BackendView> live) {
        Map<String, OperatorMetrics> metrics = new HashMap<>();
        analysis.operators().forEach(m -> metrics.put(m.name(), m));
        Map<String, String> placement = new HashMap<>();
        Set<String> sparseLight = new LinkedHashSet<>();
        for (Node n : nodes) {
            OperatorMetrics m = metrics.get(n.name());
            boolean toSparse = m != null && sparseAndLight(m, perOperator.getOrDefault(n.name(), thresholds));
            if (toSparse) {
                sparseLight.add(n.name());
            }
            BackendView first = toSparse ? sparse : dense;
            BackendView second = toSparse ? dense : sparse;
            Optional<BackendView> chosen = first.supports(n) ? Optional.of(first)
                    : second.supports(n) ? Optional.of(second)
                    : live.stream().filter(b -> b.supports(n)).findFirst();
            placement.put(n.name(), chosen.orElseThrow(() -> new UnsupportedOperatorException("threshold: no live backend "
                    + "supports operator " + n.name() + " (" + n.opType() + "); live backends: "
                    + live.stream().map(BackendView::id).toList())).id());
        }
        return new Decision(placement, sparseLight);
    }
}
