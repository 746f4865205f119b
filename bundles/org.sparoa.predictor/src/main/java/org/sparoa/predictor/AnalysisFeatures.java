package org.sparoa.predictor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.sparoa.api.analysis.ModelAnalysis;
import org.sparoa.api.analysis.OperatorMetrics;
import org.sparoa.api.analysis.SparsityStats;
import org.sparoa.api.Graph;
import org.sparoa.api.Node;
import org.sparoa.api.predict.OperatorFeatures;

/** The predictor's per-operator features from the analyzer's metrics and the node's attributes, in graph order. */
public final class AnalysisFeatures {

    private AnalysisFeatures() {
    }

    public static List<OperatorFeatures> of(Graph graph, ModelAnalysis analysis) {
        Map<String, OperatorMetrics> metrics = new HashMap<>();
        analysis.operators().forEach(m -> metrics.put(m.name(), m));
        List<OperatorFeatures> out = new ArrayList<>();
        for (Node n : graph.nodes()) {
            out.add(of(n, metrics.get(n.name())));
        }
        return out;
    }

    /** {@code m} may be null (the analyzer did not cover the node): every number is then unknown. */
    public static OperatorFeatures of(Node n, OperatorMetrics m) {
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
