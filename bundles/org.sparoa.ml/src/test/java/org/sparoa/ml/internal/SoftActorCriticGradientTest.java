package org.sparoa.ml.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The hand-written gradients against central finite differences. */
class SoftActorCriticGradientTest {

    private static double[] gaussian(Random r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextGaussian();
        }
        return v;
    }

    /** {@code sum(output * weights)}: a loss whose gradient with respect to the output is {@code weights}. */
    private static double weightedOutput(Perceptron net, INDArray input, INDArray weights) {
        return net.forward(input).output().mul(weights).sumNumber().doubleValue();
    }

    @Test
    void perceptronBackwardMatchesFiniteDifferences() {
        Random r = new Random(1);
        int in = 4;
        int hidden = 6;
        int out = 3;
        int batch = 5;
        Map<String, INDArray> arrays = new HashMap<>();
        long[][] shapes = {{in, hidden}, {1, hidden}, {hidden, hidden}, {1, hidden}, {hidden, out}, {1, out}};
        for (int l = 0; l < 3; l++) {
            long[] w = shapes[2 * l];
            arrays.put(SacWeights.weight("net", l), Nd4j.create(gaussian(r, (int) (w[0] * w[1])), w, 'c'));
            arrays.put(SacWeights.bias("net", l), Nd4j.create(gaussian(r, (int) shapes[2 * l + 1][1]),
                    shapes[2 * l + 1], 'c'));
        }
        Map<String, INDArray> gradients = new HashMap<>();
        arrays.forEach((name, a) -> gradients.put(name, Nd4j.zeros(a.dataType(), a.shape())));
        Perceptron net = new Perceptron("net", 3, arrays, gradients);
        INDArray input = Nd4j.create(gaussian(r, batch * in), new long[] {batch, in}, 'c');
        INDArray outputGradient = Nd4j.create(gaussian(r, batch * out), new long[] {batch, out}, 'c');
        net.backward(net.forward(input), outputGradient);

        double eps = 1e-6;
        int checked = 0;
        for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
            INDArray p = e.getValue();
            INDArray g = gradients.get(e.getKey());
            assertEquals(p.length(), g.length(), "gradient size of " + e.getKey());
            for (long k = 0; k < p.length(); k++) {
                double v = p.getDouble(k);
                p.putScalar(k, v + eps);
                double plus = weightedOutput(net, input, outputGradient);
                p.putScalar(k, v - eps);
                double minus = weightedOutput(net, input, outputGradient);
                p.putScalar(k, v);
                double numeric = (plus - minus) / (2 * eps);
                assertEquals(numeric, g.getDouble(k), 1e-6 * Math.max(1, Math.abs(numeric)),
                        e.getKey() + "[" + k + "]");
                checked++;
            }
        }
        assertTrue(checked > 90, "checked " + checked);
    }

    @Test
    void actorLossGradientMatchesFiniteDifferencesAndIgnoresMaskedActions() {
        Random r = new Random(2);
        int n = 6;
        int actions = 4;
        float[][] logits = new float[n][actions];
        float[][] q = new float[n][actions];
        boolean[][] masks = new boolean[n][actions];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < actions; a++) {
                logits[i][a] = (float) r.nextGaussian();
                q[i][a] = (float) r.nextGaussian();
                masks[i][a] = a == i % actions || r.nextBoolean();
            }
        }
        double alpha = 0.7;
        float[][] g = MaskedPolicy.of(logits, masks).lossGradient(q, alpha);
        float eps = 1e-2f;
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < actions; a++) {
                float v = logits[i][a];
                logits[i][a] = v + eps;
                double plus = MaskedPolicy.of(logits, masks).loss(q, alpha);
                logits[i][a] = v - eps;
                double minus = MaskedPolicy.of(logits, masks).loss(q, alpha);
                logits[i][a] = v;
                double numeric = (plus - minus) / (2 * eps);
                if (masks[i][a]) {
                    assertEquals(numeric, g[i][a], 2e-4, "d loss / d logit[" + i + "][" + a + "]");
                } else {
                    assertEquals(0.0, numeric, 0.0, "a masked logit cannot change the loss");
                    assertEquals(0f, g[i][a], "gradient of masked logit [" + i + "][" + a + "]");
                }
            }
        }
    }
}
