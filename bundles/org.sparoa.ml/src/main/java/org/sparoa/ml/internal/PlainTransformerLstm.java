package org.sparoa.ml.internal;

import java.util.Map;

import org.sparoa.api.learn.NetworkSpec;

/**
 * The forward pass of {@link TransformerLstmGraph} in plain Java, for inference and for the training steps: the
 * same arithmetic on the same named weights (input projection, post-norm encoder layers with per-head attention,
 * then {@link LstmHead}: an LSTM and a sigmoid head), without a graph interpreter between the operations. A
 * prediction for a few hundred steps is a few million multiply-adds; SameDiff spent most of its time dispatching
 * its ~60 operations, not computing them. Immutable and thread-safe; built from a snapshot of the weights, so a
 * network that trains builds a new one.
 */
final class PlainTransformerLstm {
    /** ND4J's layer normalisation adds this to the variance before the square root. */
    static final double LAYER_NORM_EPSILON = 1e-5;

    private final NetworkSpec spec;
    private final Map<String, float[]> w;

    PlainTransformerLstm(NetworkSpec spec, Map<String, float[]> weights) {
        this.spec = spec;
        this.w = TransformerLstmGraph.checkedWeights(spec, weights);
    }

    /** The outputs, one row per step, of the rows of {@code x} ({@code spec.features()} wide each). */
    float[][] predict(float[][] x) {
        return LstmHead.forward(spec, w, encode(x)).outputs();
    }

    /** The encoder's output (input projection and encoder layers), one {@code modelDim} row per step. */
    float[][] encode(float[][] x) {
        int n = x.length;
        int d = spec.modelDim();
        float[][] h = affine(x, w.get("in_W"), w.get("in_b"), d);
        int heads = spec.heads();
        int dh = d / heads;
        double scale = 1.0 / Math.sqrt(d / (double) heads);
        for (int l = 0; l < spec.encoderLayers(); l++) {
            String p = "enc" + l + "_";
            float[][] concat = new float[n][d];
            float[] scores = new float[n];
            for (int k = 0; k < heads; k++) {
                float[][] q = affine(h, w.get(p + "q" + k), null, dh);
                float[][] key = affine(h, w.get(p + "k" + k), null, dh);
                float[][] v = affine(h, w.get(p + "v" + k), null, dh);
                for (int i = 0; i < n; i++) {
                    float max = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j < n; j++) {
                        float s = 0;
                        float[] qi = q[i];
                        float[] kj = key[j];
                        for (int c = 0; c < dh; c++) {
                            s += qi[c] * kj[c];
                        }
                        s *= (float) scale;
                        scores[j] = s;
                        max = Math.max(max, s);
                    }
                    double sum = 0;
                    for (int j = 0; j < n; j++) {
                        float e = (float) Math.exp(scores[j] - max);
                        scores[j] = e;
                        sum += e;
                    }
                    float inv = (float) (1 / sum);
                    float[] out = concat[i];
                    int offset = k * dh;
                    for (int j = 0; j < n; j++) {
                        float a = scores[j] * inv;
                        float[] vj = v[j];
                        for (int c = 0; c < dh; c++) {
                            out[offset + c] += a * vj[c];
                        }
                    }
                }
            }
            float[][] attended = affine(concat, w.get(p + "o"), null, d);
            addInPlace(attended, h);
            h = layerNorm(attended, w.get(p + "ln1_g"), w.get(p + "ln1_b"));
            float[][] ff = affine(relu(affine(h, w.get(p + "ff1_W"), w.get(p + "ff1_b"), 2 * d)), w.get(p + "ff2_W"),
                    w.get(p + "ff2_b"), d);
            addInPlace(ff, h);
            h = layerNorm(ff, w.get(p + "ln2_g"), w.get(p + "ln2_b"));
        }
        return h;
    }

    /** {@code x W (+ b)} with W row-major {@code [x width, outWidth]}. */
    static float[][] affine(float[][] x, float[] weights, float[] bias, int outWidth) {
        float[][] y = new float[x.length][outWidth];
        for (int i = 0; i < x.length; i++) {
            float[] xi = x[i];
            float[] yi = y[i];
            if (bias != null) {
                System.arraycopy(bias, 0, yi, 0, outWidth);
            }
            for (int k = 0; k < xi.length; k++) {
                float a = xi[k];
                if (a == 0) {
                    continue;
                }
                int row = k * outWidth;
                for (int j = 0; j < outWidth; j++) {
                    yi[j] += a * weights[row + j];
                }
            }
        }
        return y;
    }

    private static void addInPlace(float[][] target, float[][] add) {
        for (int i = 0; i < target.length; i++) {
            for (int j = 0; j < target[i].length; j++) {
                target[i][j] += add[i][j];
            }
        }
    }

    private static float[][] relu(float[][] x) {
        for (float[] row : x) {
            for (int j = 0; j < row.length; j++) {
                row[j] = Math.max(0, row[j]);
            }
        }
        return x;
    }

    /** Per row: zero mean, unit (population) variance, then the gain and bias. */
    private static float[][] layerNorm(float[][] x, float[] gain, float[] bias) {
        float[][] y = new float[x.length][];
        for (int i = 0; i < x.length; i++) {
            float[] row = x[i];
            double mean = 0;
            for (float v : row) {
                mean += v;
            }
            mean /= row.length;
            double var = 0;
            for (float v : row) {
                var += (v - mean) * (v - mean);
            }
            var /= row.length;
            double inv = 1 / Math.sqrt(var + LAYER_NORM_EPSILON);
            float[] out = new float[row.length];
            for (int j = 0; j < row.length; j++) {
                out[j] = (float) ((row[j] - mean) * inv * gain[j] + bias[j]);
            }
            y[i] = out;
        }
        return y;
    }
}
