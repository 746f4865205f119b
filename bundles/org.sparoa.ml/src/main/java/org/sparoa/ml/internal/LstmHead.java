package org.sparoa.ml.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import org.sparoa.api.learn.NetworkSpec;

/**
 * The part of {@link TransformerLstmGraph} after the encoder, in plain Java, forward and backward: a forward LSTM
 * over the encoded steps ({@code z = h W + h_prev R + b}, gate blocks in ND4J's order input, forget, cell, output;
 * zero initial state), a sigmoid head, and the training loss, the mean absolute error weighted by the target
 * weights ({@code sum(|out - y| * w) / (sum(w) + 1e-6)}).
 *
 * <p>The backward pass exists because SameDiff's own (the {@code lstmLayer} op's backward in ND4J 1.0.0-M2.1) keeps
 * native memory it never frees, about T x 4 x units x 16 bytes per training step, so a training run grew by
 * gigabytes; here back-propagation through time gives the same gradients (checked against SameDiff's in the tests)
 * and allocates only Java arrays.
 */
final class LstmHead {
    /** The arrays this part owns, by name, as {@link TransformerLstmGraph#shapes} names them. */
    static final String[] WEIGHTS = {"lstm_W", "lstm_R", "lstm_b", "head_W", "head_b"};

    private LstmHead() {
    }

    /** One forward pass with what the backward pass needs: each step's gates, cell state, output and head output. */
    record Forward(float[][] encoded, float[][] input, float[][] forget, float[][] cell, float[][] output,
                   float[][] state, float[][] hidden, float[][] outputs) {
    }

    /** The loss of one sequence and its gradient with respect to this part's weights and to the encoder's output. */
    record Gradient(double loss, Map<String, float[]> weights, float[][] encoded) {
    }

    /** The forward pass over the encoder's output {@code h} ({@code length x modelDim}). */
    static Forward forward(NetworkSpec spec, Map<String, float[]> w, float[][] h) {
        int u = spec.lstmUnits();
        int n = h.length;
        float[][] z = PlainTransformerLstm.affine(h, w.get("lstm_W"), w.get("lstm_b"), 4 * u);
        float[] r = w.get("lstm_R");
        float[][] in = new float[n][u];
        float[][] forget = new float[n][u];
        float[][] cell = new float[n][u];
        float[][] out = new float[n][u];
        float[][] state = new float[n][u];
        float[][] hidden = new float[n][u];
        float[] hPrev = new float[u];
        float[] c = new float[u];
        float[] gates = new float[4 * u];
        for (int t = 0; t < n; t++) {
            System.arraycopy(z[t], 0, gates, 0, 4 * u);
            for (int i = 0; i < u; i++) {
                float hi = hPrev[i];
                if (hi != 0) {
                    int row = i * 4 * u;
                    for (int g = 0; g < 4 * u; g++) {
                        gates[g] += hi * r[row + g];
                    }
                }
            }
            for (int i = 0; i < u; i++) {
                double ig = sigmoid(gates[i]);
                double fg = sigmoid(gates[u + i]);
                double cg = Math.tanh(gates[2 * u + i]);
                double og = sigmoid(gates[3 * u + i]);
                c[i] = (float) (fg * c[i] + ig * cg);
                hidden[t][i] = (float) (og * Math.tanh(c[i]));
                in[t][i] = (float) ig;
                forget[t][i] = (float) fg;
                cell[t][i] = (float) cg;
                out[t][i] = (float) og;
                state[t][i] = c[i];
            }
            hPrev = hidden[t];
        }
        float[][] head = PlainTransformerLstm.affine(hidden, w.get("head_W"), w.get("head_b"), spec.outputs());
        for (float[] row : head) {
            for (int k = 0; k < row.length; k++) {
                row[k] = (float) sigmoid(row[k]);
            }
        }
        return new Forward(h, in, forget, cell, out, state, hidden, head);
    }

    /** The weighted mean absolute error of {@code outputs} against {@code targets}. */
    static double loss(float[][] outputs, float[][] targets, float[][] weights) {
        double sum = 0;
        double weight = 0;
        for (int t = 0; t < outputs.length; t++) {
            for (int k = 0; k < outputs[t].length; k++) {
                sum += Math.abs(outputs[t][k] - targets[t][k]) * weights[t][k];
                weight += weights[t][k];
            }
        }
        return sum / (weight + 1e-6);
    }

    /** The loss of {@code f} against {@code targets} and its gradients (back-propagation through time). */
    static Gradient backward(NetworkSpec spec, Map<String, float[]> w, Forward f, float[][] targets,
                             float[][] weights) {
        int n = f.encoded().length;
        int d = spec.modelDim();
        int u = spec.lstmUnits();
        int outs = spec.outputs();
        double weightSum = 0;
        for (float[] row : weights) {
            for (float v : row) {
                weightSum += v;
            }
        }
        double scale = 1 / (weightSum + 1e-6);
        float[] headW = w.get("head_W");
        float[] lstmW = w.get("lstm_W");
        float[] lstmR = w.get("lstm_R");
        float[] gHeadW = new float[u * outs];
        float[] gHeadB = new float[outs];
        float[] gW = new float[d * 4 * u];
        float[] gR = new float[u * 4 * u];
        float[] gB = new float[4 * u];
        float[][] gEncoded = new float[n][d];
        // the head: d loss / d hidden, step by step
        float[][] gHidden = new float[n][u];
        for (int t = 0; t < n; t++) {
            for (int k = 0; k < outs; k++) {
                float o = f.outputs()[t][k];
                double pre = Math.signum(o - targets[t][k]) * weights[t][k] * scale * o * (1 - o);
                gHeadB[k] += (float) pre;
                for (int i = 0; i < u; i++) {
                    gHeadW[i * outs + k] += (float) (f.hidden()[t][i] * pre);
                    gHidden[t][i] += (float) (pre * headW[i * outs + k]);
                }
            }
        }
        // the LSTM, from the last step back
        float[] gNextHidden = new float[u];
        float[] gNextState = new float[u];
        float[] gz = new float[4 * u];
        for (int t = n - 1; t >= 0; t--) {
            float[] prevHidden = t == 0 ? null : f.hidden()[t - 1];
            for (int i = 0; i < u; i++) {
                double gh = gHidden[t][i] + gNextHidden[i];
                double ig = f.input()[t][i];
                double fg = f.forget()[t][i];
                double cg = f.cell()[t][i];
                double og = f.output()[t][i];
                double tc = Math.tanh(f.state()[t][i]);
                double gc = gh * og * (1 - tc * tc) + gNextState[i];
                double cPrev = t == 0 ? 0 : f.state()[t - 1][i];
                gz[i] = (float) (gc * cg * ig * (1 - ig));
                gz[u + i] = (float) (gc * cPrev * fg * (1 - fg));
                gz[2 * u + i] = (float) (gc * ig * (1 - cg * cg));
                gz[3 * u + i] = (float) (gh * tc * og * (1 - og));
                gNextState[i] = (float) (gc * fg);
            }
            for (int g = 0; g < 4 * u; g++) {
                gB[g] += gz[g];
            }
            float[] x = f.encoded()[t];
            for (int k = 0; k < d; k++) {
                float xk = x[k];
                int row = k * 4 * u;
                double sum = 0;
                for (int g = 0; g < 4 * u; g++) {
                    gW[row + g] += xk * gz[g];
                    sum += gz[g] * lstmW[row + g];
                }
                gEncoded[t][k] = (float) sum;
            }
            for (int i = 0; i < u; i++) {
                int row = i * 4 * u;
                float hi = prevHidden == null ? 0 : prevHidden[i];
                double sum = 0;
                for (int g = 0; g < 4 * u; g++) {
                    gR[row + g] += hi * gz[g];
                    sum += gz[g] * lstmR[row + g];
                }
                gNextHidden[i] = (float) sum;
            }
        }
        Map<String, float[]> grads = new LinkedHashMap<>();
        grads.put("lstm_W", gW);
        grads.put("lstm_R", gR);
        grads.put("lstm_b", gB);
        grads.put("head_W", gHeadW);
        grads.put("head_b", gHeadB);
        return new Gradient(loss(f.outputs(), targets, weights), grads, gEncoded);
    }

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }
}
