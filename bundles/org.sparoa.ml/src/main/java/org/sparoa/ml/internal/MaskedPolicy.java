package org.sparoa.ml.internal;

/**
 * The actor's softmax over the allowed actions, row by row: an action not allowed gets probability exactly 0 and
 * log-probability 0 (so that {@code p * log p} is 0 for it), and the gradient of the actor's loss with respect to
 * the logits.
 */
final class MaskedPolicy {
    final float[][] probs;
    final float[][] logProbs;

    private MaskedPolicy(float[][] probs, float[][] logProbs) {
        this.probs = probs;
        this.logProbs = logProbs;
    }

    /** The policy of these logits; a row that allows nothing gets all zeros. */
    static MaskedPolicy of(float[][] logits, boolean[][] masks) {
        int n = logits.length;
        float[][] p = new float[n][];
        float[][] lp = new float[n][];
        for (int i = 0; i < n; i++) {
            int actions = logits[i].length;
            p[i] = new float[actions];
            lp[i] = new float[actions];
            double max = Double.NEGATIVE_INFINITY;
            for (int a = 0; a < actions; a++) {
                if (masks[i][a]) {
                    max = Math.max(max, logits[i][a]);
                }
            }
            if (max == Double.NEGATIVE_INFINITY) {
                continue;
            }
            double sum = 0;
            for (int a = 0; a < actions; a++) {
                if (masks[i][a]) {
                    sum += Math.exp(logits[i][a] - max);
                }
            }
            double logSum = Math.log(sum);
            for (int a = 0; a < actions; a++) {
                if (masks[i][a]) {
                    double logP = logits[i][a] - max - logSum;
                    lp[i][a] = (float) logP;
                    p[i][a] = (float) Math.exp(logP);
                }
            }
        }
        return new MaskedPolicy(p, lp);
    }

    /** {@code -sum p log p} of row {@code i}. */
    double entropy(int i) {
        double h = 0;
        for (int a = 0; a < probs[i].length; a++) {
            h -= probs[i][a] * logProbs[i][a];
        }
        return h;
    }

    /**
     * The gradient, with respect to the logits, of the actor's loss {@code mean_i sum_a p(a) (alpha log p(a) - q(a))}
     * for fixed {@code q} and {@code alpha}: {@code p(k) (f(k) - sum_a p(a) f(a)) / n} with
     * {@code f = alpha log p - q} (the derivative of the {@code log p} inside {@code f} sums to zero). Zero for an
     * action not allowed.
     */
    float[][] lossGradient(float[][] q, double alpha) {
        int n = probs.length;
        float[][] g = new float[n][];
        for (int i = 0; i < n; i++) {
            int actions = probs[i].length;
            g[i] = new float[actions];
            double mean = 0;
            for (int a = 0; a < actions; a++) {
                mean += probs[i][a] * (alpha * logProbs[i][a] - q[i][a]);
            }
            for (int a = 0; a < actions; a++) {
                if (probs[i][a] > 0) {
                    g[i][a] = (float) (probs[i][a] * (alpha * logProbs[i][a] - q[i][a] - mean) / n);
                }
            }
        }
        return g;
    }

    /** The actor's loss {@code mean_i sum_a p(a) (alpha log p(a) - q(a))}. */
    double loss(float[][] q, double alpha) {
        double total = 0;
        for (int i = 0; i < probs.length; i++) {
            for (int a = 0; a < probs[i].length; a++) {
                total += probs[i][a] * (alpha * logProbs[i][a] - q[i][a]);
            }
        }
        return total / probs.length;
    }
}
