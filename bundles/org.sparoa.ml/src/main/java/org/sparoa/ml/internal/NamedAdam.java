package org.sparoa.ml.internal;

import java.util.HashMap;
import java.util.Map;

/**
 * Adam over named float arrays, stepping them in place, with ND4J's {@code Adam} arithmetic and defaults: moments
 * with decays 0.9 and 0.999, the step size bias-corrected for the iteration, epsilon 1e-8 added to the square root
 * of the second moment.
 */
final class NamedAdam {
    static final double BETA1 = 0.9;
    static final double BETA2 = 0.999;
    static final double EPSILON = 1e-8;

    private final double learningRate;
    private final Map<String, float[]> first = new HashMap<>();
    private final Map<String, float[]> second = new HashMap<>();
    private int iteration;

    NamedAdam(double learningRate) {
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("the learning rate must be positive, got " + learningRate);
        }
        this.learningRate = learningRate;
    }

    /** One step of every array in {@code gradients} (each the size of its parameter array). */
    void step(Map<String, float[]> parameters, Map<String, float[]> gradients) {
        iteration++;
        double alpha = learningRate * Math.sqrt(1 - Math.pow(BETA2, iteration)) / (1 - Math.pow(BETA1, iteration));
        gradients.forEach((name, g) -> {
            float[] p = parameters.get(name);
            if (p == null || p.length != g.length) {
                throw new IllegalArgumentException("gradient '" + name + "' has " + g.length + " values, the parameter "
                        + (p == null ? "does not exist" : "has " + p.length));
            }
            float[] m = first.computeIfAbsent(name, k -> new float[g.length]);
            float[] v = second.computeIfAbsent(name, k -> new float[g.length]);
            for (int i = 0; i < g.length; i++) {
                m[i] = (float) (BETA1 * m[i] + (1 - BETA1) * g[i]);
                v[i] = (float) (BETA2 * v[i] + (1 - BETA2) * g[i] * g[i]);
                p[i] -= (float) (alpha * m[i] / (Math.sqrt(v[i]) + EPSILON));
            }
        });
    }
}
