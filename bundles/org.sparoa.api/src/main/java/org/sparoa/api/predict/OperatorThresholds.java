package org.sparoa.api.predict;

/**
 * The predicted thresholds of one operator: at sparsity {@code >= sparsity} it runs faster on the pair's sparse
 * backend (1 = never, 0 = always); at intensity (FLOPs per byte) {@code >= intensity} it belongs on the dense one.
 */
public record OperatorThresholds(String name, double sparsity, double intensity) {

    /** Whether this operator, at this sparsity and intensity, goes to the sparse backend. */
    public boolean sparseAndLight(double operatorSparsity, double operatorIntensity) {
        return operatorSparsity >= sparsity && !(operatorIntensity >= intensity);
    }
}
