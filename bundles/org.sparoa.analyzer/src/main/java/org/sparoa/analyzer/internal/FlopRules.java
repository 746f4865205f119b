package org.sparoa.analyzer.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.sparoa.api.Node;

/** The FLOP rule of each known operator type of the default ONNX domain. */
final class FlopRules {
    private static final Map<String, FlopRule> RULES = build();

    private FlopRules() {
    }

    private static Map<String, FlopRule> build() {
        Map<String, FlopRule> rules = new HashMap<>();
        ConvFlops.register(rules);
        MatrixFlops.register(rules);
        PoolFlops.register(rules);
        NormalizationFlops.register(rules);
        ElementwiseFlops.register(rules);
        ResizeFlops.register(rules);
        DataMovementOps.register(rules);
        return Map.copyOf(rules);
    }

    /** The rule for this operator; empty for an operator type (or a non-ONNX domain) without one. */
    static Optional<FlopRule> forNode(Node node) {
        boolean onnxDomain = node.domain().isEmpty() || node.domain().equals("ai.onnx");
        return onnxDomain ? Optional.ofNullable(RULES.get(node.opType())) : Optional.empty();
    }
}
