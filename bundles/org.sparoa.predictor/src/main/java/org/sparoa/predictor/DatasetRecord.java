package org.sparoa.predictor;

import org.sparoa.api.BoundaryCost;
import org.sparoa.api.predict.BackendPair;
import org.sparoa.api.predict.OperatorFeatures;

/**
 * One line of the data set: one operator of one model, on one backend pair. {@code levels} are the unstructured
 * weight sparsities the model was pruned to (magnitude, per layer); {@code sparseMs}/{@code denseMs} the operator's
 * time at each level on the pair's sparse and dense backend (NaN where a backend does not run it): the operator
 * profiler's fastest run, and with repeats the median of the repeats; {@code policySparsity} the sparsity the
 * {@code threshold} policy sees at each level (the larger of the weight and input-activation sparsity).
 * {@code sparsityThreshold} is the label: the threshold that puts the operator on the faster backend at the most
 * levels that are not ties (1 = never the sparse one), null where not measurable. {@code intensityThreshold}
 * (FLOP/byte) is the label of the intensity threshold, null where the pair has none; {@code simulated} says the
 * times and labels come from the roofline simulator, not from measurement.
 *
 * <p>With repeats ({@code repeats} >= 2, measured lines only): {@code sparseRepeatMs}/{@code denseRepeatMs} hold, per
 * level, the time of each repeat (the profiler's fastest run of that repeat; the repeats alternate the two backends
 * operator by operator), and {@code tie} per level whether the two backends' ranges [min, max] over the repeats
 * overlap: the difference between them is within their measured spread, so either decision costs less than the
 * measurement noise (see {@link Spread}). Lines written before repeats existed, single-repeat lines and simulated
 * lines have {@code repeats} 0 or 1 and no {@code tie} (null: unknown).
 *
 * <p>Own time (lines measured since 2026-12-03): {@code sparseBoundary}/{@code denseBoundary} are the two backends'
 * boundary costs, measured in the same run, and {@code bytesMoved} the activation bytes the operator's one-operator
 * segment moved in and out. A one-operator measurement pays one segment and those moves, which inside a plan the
 * operator pays only at a segment's edge; so on these lines {@code sparseMs}/{@code denseMs}, {@code tie} and the
 * label are made of the operator's own time ({@link BoundaryCost#ownMillis}, what the engine's cost model prices),
 * while {@code sparseRepeatMs}/{@code denseRepeatMs} stay the raw measurements. Older lines have no boundary
 * (null) and are labelled by the raw times.
 */
public record DatasetRecord(String model, String source, int index, BackendPair pair, boolean simulated,
                            OperatorFeatures op, boolean pruned, double[] levels, double[] policySparsity,
                            double[] sparseMs, double[] denseMs, Double sparsityThreshold,
                            Double intensityThreshold, int repeats, double[][] sparseRepeatMs,
                            double[][] denseRepeatMs, Boolean[] tie, BoundaryCost sparseBoundary,
                            BoundaryCost denseBoundary, long bytesMoved) {

    /** A line without boundary costs (labelled by raw times). */
    public DatasetRecord(String model, String source, int index, BackendPair pair, boolean simulated,
                         OperatorFeatures op, boolean pruned, double[] levels, double[] policySparsity,
                         double[] sparseMs, double[] denseMs, Double sparsityThreshold, Double intensityThreshold,
                         int repeats, double[][] sparseRepeatMs, double[][] denseRepeatMs, Boolean[] tie) {
        this(model, source, index, pair, simulated, op, pruned, levels, policySparsity, sparseMs, denseMs,
                sparsityThreshold, intensityThreshold, repeats, sparseRepeatMs, denseRepeatMs, tie, null, null, 0);
    }

    /** A line without repeats (one measurement per level and backend, or simulated). */
    public DatasetRecord(String model, String source, int index, BackendPair pair, boolean simulated,
                         OperatorFeatures op, boolean pruned, double[] levels, double[] policySparsity,
                         double[] sparseMs, double[] denseMs, Double sparsityThreshold, Double intensityThreshold) {
        this(model, source, index, pair, simulated, op, pruned, levels, policySparsity, sparseMs, denseMs,
                sparsityThreshold, intensityThreshold, 1, null, null, null, null, null, 0);
    }

    /** The features at level {@code j}: a pruned operator's weight sparsity is that level's. */
    public OperatorFeatures featuresAt(int j) {
        if (!pruned) {
            return op;
        }
        return new OperatorFeatures(op.name(), op.opType(), op.inputShapes(), op.outputShapes(), op.flops(),
                op.bytes(), Math.max(levels[j], Double.isNaN(op.weightSparsity()) ? 0 : op.weightSparsity()),
                op.activationSparsity(), op.params(), op.kernel(), op.strides(), op.group());
    }

    /**
     * Whether this line is of a CPU/GPU pair (its dense side a GPU, simulated or live): the pair whose decisions
     * judge the intensity threshold. The other lines, the live CPU pair's, judge the sparsity threshold.
     */
    public boolean gpuPair() {
        return "gpu".equals(pair.dense().kind());
    }

    /** Whether the sparse backend was faster at level {@code j}; null when either time is missing. */
    public Boolean sparseWins(int j) {
        if (Double.isNaN(sparseMs[j]) || Double.isNaN(denseMs[j])) {
            return null;
        }
        return sparseMs[j] < denseMs[j];
    }

    /** Whether level {@code j} is a tie (the backends within their measured spread); null when unknown. */
    public Boolean tieAt(int j) {
        return tie == null || j >= tie.length ? null : tie[j];
    }

    /** {@link #sparseWins}, except null at a tie: the decision that a label should follow. */
    public Boolean decisiveWins(int j) {
        return Boolean.TRUE.equals(tieAt(j)) ? null : sparseWins(j);
    }
}
