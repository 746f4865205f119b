package org.sparoa.policy.threshold.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.sparoa.api.analysis.ModelAnalysis;
import org.sparoa.api.analysis.Thresholds;
import org.sparoa.api.BackendView;
import org.sparoa.api.Node;
import org.sparoa.api.predict.BackendPair;
import org.sparoa.api.predict.DeviceDescriptor;
import org.sparoa.api.predict.OperatorFeatures;
import org.sparoa.api.predict.OperatorThresholds;
import org.sparoa.api.predict.ThresholdPredictor;

/**
 * Per-operator thresholds from the {@link ThresholdPredictor} service for one model and backend pair: the analyzer's
 * metrics and the nodes' attributes become the predictor's features ({@link OperatorFeatures#of(List, ModelAnalysis)}).
 */
final class PredictedThresholds {

    private PredictedThresholds() {
    }

    static Map<String, Thresholds> of(ThresholdPredictor predictor, List<Node> nodes, ModelAnalysis analysis,
                                      BackendView sparse, BackendView dense) {
        List<OperatorFeatures> features = OperatorFeatures.of(nodes, analysis);
        BackendPair pair = new BackendPair(descriptor(sparse), descriptor(dense));
        List<OperatorThresholds> predicted = predictor.predict(features, pair);
        if (predicted.size() != nodes.size()) {
            throw new IllegalStateException("the threshold predictor answered " + predicted.size()
                    + " operators for " + nodes.size());
        }
        Map<String, Thresholds> out = new HashMap<>();
        for (OperatorThresholds t : predicted) {
            // the predictor's "never" (1.0) stays a valid threshold; the intensity floor keeps it positive
            out.put(t.name(), new Thresholds(Math.min(1, Math.max(0, t.sparsity())), Math.max(1e-6, t.intensity())));
        }
        return out;
    }

    private static DeviceDescriptor descriptor(BackendView b) {
        return DeviceDescriptor.nominal(b.id(), b.kind().name().toLowerCase(Locale.ROOT));
    }
}
