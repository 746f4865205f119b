package org.sparoa.predictor;

import org.sparoa.api.predict.BackendPair;
import org.sparoa.api.predict.OperatorFeatures;

/**
 * One line of the data set: one operator of one model, on one backend pair. {@code levels} are the unstructured
 * weight sparsities the model was pruned to (magnitude, per layer); {@code sparseMs}/{@code denseMs} the operator's
 * median time at each level on the pair's sparse and dense backend (NaN where a backend does not run it);
 * {@code policySparsity} the sparsity the {@code threshold} policy sees at each level (the larger of the weight and
 * input-activation sparsity). {@code sparsityThreshold} is the label: the threshold that puts the operator on the
 * faster backend at the most levels (1 = never the sparse one), null where not measurable.
 * {@code intensityThreshold} (FLOP/byte) is the label of the intensity threshold, null where the pair has none;
 * {@code simulated} says the times and labels come from the roofline simulator, not from measurement.
 */
public record DatasetRecord(String model, String source, int index, BackendPair pair, boolean simulated,
                            OperatorFeatures op, boolean pruned, double[] levels, double[] policySparsity,
                            double[] sparseMs, double[] denseMs, Double sparsityThreshold,
                            Double intensityThreshold) {

    /** The features at level {@code j}: a pruned operator's weight sparsity is that level's. */
    public OperatorFeatures featuresAt(int j) {
        if (!pruned) {
            return op;
        }
        return new OperatorFeatures(op.name(), op.opType(), op.inputShapes(), op.outputShapes(), op.flops(),
                op.bytes(), Math.max(levels[j], Double.isNaN(op.weightSparsity()) ? 0 : op.weightSparsity()),
                op.activationSparsity(), op.params(), op.kernel(), op.strides(), op.group());
    }

    /** Whether the sparse backend was faster at level {@code j}; null when either time is missing. */
    public Boolean sparseWins(int j) {
        if (Double.isNaN(sparseMs[j]) || Double.isNaN(denseMs[j])) {
            return null;
        }
        return sparseMs[j] < denseMs[j];
    }
}
