package org.sparoa.analyzer.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.sparoa.api.analysis.Calibration;
import org.sparoa.api.analysis.ModelAnalysis;
import org.sparoa.api.analysis.ModelTotals;
import org.sparoa.api.analysis.OperatorMetrics;
import org.sparoa.api.analysis.SparsityStats;
import org.sparoa.api.analysis.Thresholds;
import org.sparoa.api.Graph;
import org.sparoa.api.Node;

/**
 * Computes the metrics of every operator of a graph from the shapes and activation statistics at hand. Pure:
 * it runs nothing, so it also serves graphs built by hand.
 */
final class GraphAnalysis {
    private final Graph graph;
    private final ShapeTable shapes;
    private final Calibration calibration;
    private final WeightStatistics weights;

    GraphAnalysis(Graph graph, ShapeTable shapes, Calibration calibration) {
        this.graph = graph;
        this.shapes = shapes;
        this.calibration = calibration;
        this.weights = new WeightStatistics(graph);
    }

    ModelAnalysis analyze(String modelId, String sha256, Thresholds thresholds, List<String> notes, long startNanos) {
        List<OperatorMetrics> operators = new ArrayList<>();
        long flops = 0;
        long params = 0;
        long bytes = 0;
        int unknown = 0;
        for (Node node : graph.nodes()) {
            OperatorMetrics m = metrics(node, thresholds);
            operators.add(m);
            params += m.params();
            bytes += m.bytes().orElse(0);
            if (m.flops().isPresent()) {
                flops += m.flops().getAsLong();
            } else {
                unknown++;
            }
        }
        ModelTotals totals = new ModelTotals(flops, params, bytes, operators.size(), unknown);
        return new ModelAnalysis(modelId, sha256, operators, totals, thresholds, calibration.runs(),
                System.nanoTime() - startNanos, notes);
    }

    OperatorMetrics metrics(Node node, Thresholds thresholds) {
        List<long[]> in = node.inputs().stream().map(t -> t.isEmpty() ? null : shapes.shape(t)).toList();
        List<long[]> out = node.outputs().stream().map(t -> t.isEmpty() ? null : shapes.shape(t)).toList();
        String[] note = {""};
        OptionalLong flops = flops(new OperatorContext(node, in, out), note);
        OptionalLong bytes = bytes(node);
        WeightStatistics.Weights w = weights.of(node);
        List<String> activationInputs = node.inputs().stream()
                .filter(t -> !t.isEmpty() && !graph.isWeight(t)).toList();
        Optional<SparsityStats> inputSparsity = calibration.sparsity(activationInputs);
        Optional<SparsityStats> outputSparsity = calibration.sparsity(node.outputs());
        OperatorMetrics m = new OperatorMetrics(node.name(), node.opType(), node.domain(), in, out, w.params(), flops,
                bytes, w.sparsity(), inputSparsity, outputSparsity, null, note[0]);
        return m.withThresholds(thresholds);
    }

    private static OptionalLong flops(OperatorContext op, String[] note) {
        Optional<FlopRule> rule = FlopRules.forNode(op.node());
        if (rule.isEmpty()) {
            String domain = op.node().domain().isEmpty() ? "" : " of domain " + op.node().domain();
            note[0] = "FLOPs unknown: no FLOP rule for operator type " + op.node().opType() + domain;
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(rule.get().flops(op));
        } catch (MissingShapeException e) {
            note[0] = "FLOPs unknown: " + e.getMessage();
        } catch (RuntimeException e) {
            note[0] = "FLOPs unknown: the " + op.node().opType() + " rule cannot use these shapes (" + e + ")";
        }
        return OptionalLong.empty();
    }

    private OptionalLong bytes(Node node) {
        long total = 0;
        for (List<String> tensors : List.of(node.inputs(), node.outputs())) {
            for (String t : tensors) {
                if (t.isEmpty()) {
                    continue;
                }
                long b = shapes.bytes(t);
                if (b < 0) {
                    return OptionalLong.empty();
                }
                total += b;
            }
        }
        return OptionalLong.of(total);
    }
}
