package org.sparoa.policy.sac.internal;

import java.util.Map;
import java.util.Optional;

import org.sparoa.api.learn.AgentSpec;

/**
 * The actor's forward pass in plain Java, from the agent's saved arrays, so that deciding a model's operators one
 * by one costs no native call per operator. It reads the saved form {@code org.sparoa.ml} writes: the actor as
 * {@code hiddenLayers} ReLU layers and a linear output layer, weights {@code actor_W<l>} ({@code [in, out]},
 * row-major) and biases {@code actor_b<l>}, then a softmax over the allowed actions. {@link #of} answers empty when
 * the arrays are not in that form (the policy then calls the agent); {@code PlainActorTest} checks both agree.
 */
final class PlainActor implements Actor {
    private final float[][] weights;
    private final float[][] biases;
    private final int[] outputs;

    private PlainActor(float[][] weights, float[][] biases, int[] outputs) {
        this.weights = weights;
        this.biases = biases;
        this.outputs = outputs;
    }

    static Optional<PlainActor> of(AgentSpec spec, Map<String, float[]> arrays) {
        int layers = spec.hiddenLayers() + 1;
        float[][] w = new float[layers][];
        float[][] b = new float[layers][];
        int[] out = new int[layers];
        int in = spec.stateSize();
        for (int l = 0; l < layers; l++) {
            out[l] = l == layers - 1 ? spec.actions() : spec.hiddenUnits();
            w[l] = arrays.get("actor_W" + l);
            b[l] = arrays.get("actor_b" + l);
            if (w[l] == null || b[l] == null || w[l].length != in * out[l] || b[l].length != out[l]) {
                return Optional.empty();
            }
            in = out[l];
        }
        return Optional.of(new PlainActor(w, b, out));
    }

    @Override
    public float[] probabilities(float[] state, boolean[] mask) {
        float[] h = state;
        for (int l = 0; l < weights.length; l++) {
            int out = outputs[l];
            float[] z = biases[l].clone();
            float[] w = weights[l];
            for (int i = 0; i < h.length; i++) {
                float x = h[i];
                if (x != 0) {
                    int row = i * out;
                    for (int o = 0; o < out; o++) {
                        z[o] += x * w[row + o];
                    }
                }
            }
            if (l < weights.length - 1) {
                for (int o = 0; o < out; o++) {
                    z[o] = Math.max(0, z[o]);
                }
            }
            h = z;
        }
        return softmax(h, mask);
    }

    private static float[] softmax(float[] logits, boolean[] mask) {
        double max = Double.NEGATIVE_INFINITY;
        for (int a = 0; a < logits.length; a++) {
            if (mask[a]) {
                max = Math.max(max, logits[a]);
            }
        }
        if (max == Double.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("the state allows no action");
        }
        double sum = 0;
        for (int a = 0; a < logits.length; a++) {
            if (mask[a]) {
                sum += Math.exp(logits[a] - max);
            }
        }
        float[] p = new float[logits.length];
        for (int a = 0; a < logits.length; a++) {
            p[a] = mask[a] ? (float) (Math.exp(logits[a] - max) / sum) : 0;
        }
        return p;
    }
}
