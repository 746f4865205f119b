package org.sparoa.api.analysis;

/**
 * A (sparsity, intensity) threshold pair. An operator whose sparsity is at or above {@code sparsity} is sparse;
 * one whose intensity (FLOPs per byte) is at or above {@code intensity} is intense.
 */
public record Thresholds(double sparsity, double intensity) {

    public Thresholds {
        if (!(sparsity >= 0 && sparsity <= 1)) {
            throw new IllegalArgumentException("sparsity threshold must lie in [0, 1], got " + sparsity);
        }
        if (!(intensity > 0) || Double.isInfinite(intensity)) {
            throw new IllegalArgumentException("intensity threshold must be a positive FLOPs/byte value, got " + intensity);
        }
    }

    /** The quadrant of an operator with this sparsity and intensity; {@link Quadrant#UNKNOWN} when either is unknown. */
    public Quadrant classify(Double operatorSparsity, Double operatorIntensity) {
        if (operatorSparsity == null || operatorIntensity == null) {
            return Quadrant.UNKNOWN;
        }
        boolean sparse = operatorSparsity >= sparsity;
        boolean intense = operatorIntensity >= intensity;
        if (sparse) {
            return intense ? Quadrant.SPARSE_INTENSE : Quadrant.SPARSE_LIGHT;
        }
        return intense ? Quadrant.DENSE_INTENSE : Quadrant.DENSE_LIGHT;
    }
}
