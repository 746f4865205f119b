package org.sparoa.policy.threshold.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.sparoa.api.analysis.ModelAnalysis;
import org.sparoa.api.analysis.OperatorMetrics;
import org.sparoa.api.analysis.SparsityStats;
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
 * metrics and the nodes' attributes become the predictor's features (the same conversion as the predictor bundle's
 * {@code AnalysisFeatures}).
 */
final class PredictedThresholds {

    private PredictedThresholds() {
    }

    static Map<String, Thresholds> of(ThresholdPredictor predictor, List<Node> nodes, ModelAnalysis analysis,
                                      BackendView sparse, BackendView dense) {
        Map<String, OperatorMetrics> metrics = new HashMap<>();
        analysis.operators().forEach(m -> metrics.put(m.name(), m));
        List<OperatorFeatures> features = new ArrayList<>(nodes.size());
        for (Node n : nodes) {
            features.add(features(n, metrics.get(n.name())));
        }
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

    private static OperatorFeatures features(Node n, OperatorMetrics m) {
        long[] kernel = n.attrLongs("kernel_shape", new long[0]);
        long[] strides = n.attrLongs("strides", new long[0]);
        long group = n.attrLong("group", 1);
        if (m == null) {
            return new OperatorFeatures(n.name(), n.opType(), List.of(), List.of(), Double.NaN, Double.NaN,
                    Double.NaN, Double.NaN, 0, kernel, strides, group);
        }
        return new OperatorFeatures(n.name(), n.opType(), m.inputShapes(), m.outputShapes(),
                m.flops().isPresent() ? m.flops().getAsLong() : Double.NaN,
                m.bytes().isPresent() ? m.bytes().getAsLong() : Double.NaN,
                m.weightSparsity().isPresent() ? m.weightSparsity().getAsDouble() : Double.NaN,
                m.inputSparsity().map(SparsityStats::mean).orElse(Double.NaN), m.params(), kernel, strides, group);
    }
}
