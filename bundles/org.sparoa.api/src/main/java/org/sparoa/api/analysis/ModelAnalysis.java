package org.sparoa.api.analysis;

import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The analysis of one model: its operators in topological order, the totals, the thresholds the quadrants were
 * computed against, how many calibration runs measured the activations, how long the analysis took (the original
 * computation, also when served from the cache), and notes on anything that could not be measured.
 */
public record ModelAnalysis(String modelId, String modelSha256, List<OperatorMetrics> operators, ModelTotals totals,
                            Thresholds thresholds, int calibrationRuns, long analysisNanos, List<String> notes) {

    /** Orders for listing operators. */
    public enum SortKey { FLOPS, INTENSITY, SPARSITY, ORDER }

    public ModelAnalysis {
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(thresholds, "thresholds");
        operators = List.copyOf(operators);
        notes = List.copyOf(notes);
    }

    /** The same analysis with quadrants computed against other thresholds. */
    public ModelAnalysis withThresholds(Thresholds other) {
        if (other.equals(thresholds)) {
            return this;
        }
        return new ModelAnalysis(modelId, modelSha256, operators.stream().map(o -> o.withThresholds(other)).toList(),
                totals, other, calibrationRuns, analysisNanos, notes);
    }

    /** The {@code k} operators with the most FLOPs: those that dominate the cost. */
    public List<OperatorMetrics> dominant(int k) {
        return sorted(SortKey.FLOPS).stream().limit(k).toList();
    }

    /** Operators sorted by the key, largest first; unknown values last. ORDER keeps topological order. */
    public List<OperatorMetrics> sorted(SortKey key) {
        Comparator<OperatorMetrics> byKey = switch (key) {
            case FLOPS -> Comparator.comparingDouble(o -> o.flops().isPresent() ? o.flops().getAsLong() : -1.0);
            case INTENSITY -> Comparator.comparingDouble(o -> o.intensity().orElse(-1));
            case SPARSITY -> Comparator.comparingDouble(o -> o.sparsity().orElse(-1));
            case ORDER -> null;
        };
        return byKey == null ? operators : operators.stream().sorted(byKey.reversed()).toList();
    }

    public Map<Quadrant, Integer> quadrantCounts() {
        Map<Quadrant, Integer> counts = new EnumMap<>(Quadrant.class);
        for (Quadrant q : Quadrant.values()) {
            counts.put(q, 0);
        }
        operators.forEach(o -> counts.merge(o.quadrant(), 1, Integer::sum));
        return counts;
    }

    public double analysisMillis() {
        return analysisNanos / 1e6;
    }
}
