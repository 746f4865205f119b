package org.sparoa.ml.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.config.LSTMActivations;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.config.LSTMDataFormat;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.config.LSTMDirectionMode;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.config.LSTMLayerConfig;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.weights.LSTMLayerWeights;
import org.nd4j.linalg.factory.Nd4j;
import org.sparoa.api.learn.NetworkSpec;

/**
 * The graph, built in code from named weights (SameDiff 1.0.0-M2.1 cannot load a saved graph with an LSTM layer,
 * so weights are what is saved). One sequence per call, as a 2-D {@code [length, features]} array: input
 * projection, {@code encoderLayers} post-norm Transformer layers (multi-head self-attention with per-head
 * projections and plain {@code mmul}, since training through {@code tensorMmul} on 3-D input fails in this
 * version; feed-forward of twice the width), an LSTM over the steps, a sigmoid head. The loss is the weighted mean
 * absolute error, so unknown targets (weight 0) cost nothing; absolute rather than squared so that, where the inputs
 * cannot tell targets apart, the network learns their median, which decides as most of them do, not their mean, which
 * can sit on the wrong side of a decision for all of them. Training differentiates the encoder alone
 * ({@link #buildEncoder}); the whole graph ({@link #build}) is the reference the plain-Java passes are tested against.
 */
final class TransformerLstmGraph {
    static final String FEATURES = "x";
    static final String TARGETS = "y";
    static final String WEIGHTS = "w";
    static final String OUTPUT = "out";
    static final String LOSS = "loss";
    /** The encoder's output in the encoder-only graph ({@link #buildEncoder}). */
    static final String ENCODED = "encoded";
    /** The placeholder for d loss / d encoder output in the encoder-only graph. */
    static final String ENCODED_GRADIENT = "encoded_gradient";

    private TransformerLstmGraph() {
    }

    /** Every trainable array's shape, by name, in a fixed order. */
    static Map<String, long[]> shapes(NetworkSpec s) {
        Map<String, long[]> m = new LinkedHashMap<>();
        int d = s.modelDim();
        int dh = d / s.heads();
        m.put("in_W", new long[] {s.features(), d});
        m.put("in_b", new long[] {1, d});
        for (int l = 0; l < s.encoderLayers(); l++) {
            for (int h = 0; h < s.heads(); h++) {
                m.put("enc" + l + "_q" + h, new long[] {d, dh});
                m.put("enc" + l + "_k" + h, new long[] {d, dh});
                m.put("enc" + l + "_v" + h, new long[] {d, dh});
            }
            m.put("enc" + l + "_o", new long[] {d, d});
            m.put("enc" + l + "_ln1_g", new long[] {d});
            m.put("enc" + l + "_ln1_b", new long[] {d});
            m.put("enc" + l + "_ff1_W", new long[] {d, 2L * d});
            m.put("enc" + l + "_ff1_b", new long[] {1, 2L * d});
            m.put("enc" + l + "_ff2_W", new long[] {2L * d, d});
            m.put("enc" + l + "_ff2_b", new long[] {1, d});
            m.put("enc" + l + "_ln2_g", new long[] {d});
            m.put("enc" + l + "_ln2_b", new long[] {d});
        }
        int u = s.lstmUnits();
        m.put("lstm_W", new long[] {d, 4L * u});
        m.put("lstm_R", new long[] {u, 4L * u});
        m.put("lstm_b", new long[] {4L * u});
        m.put("head_W", new long[] {u, s.outputs()});
        m.put("head_b", new long[] {1, s.outputs()});
        return m;
    }

    static long size(long[] shape) {
        long n = 1;
        for (long v : shape) {
            n *= v;
        }
        return n;
    }

    /** Seeded Glorot-normal matrices; zero biases; layer-norm gains of one. */
    static Map<String, float[]> randomWeights(NetworkSpec spec, long seed) {
        Random r = new Random(seed);
        Map<String, float[]> out = new LinkedHashMap<>();
        shapes(spec).forEach((name, shape) -> {
            float[] v = new float[(int) size(shape)];
            if (name.endsWith("_g")) {
                java.util.Arrays.fill(v, 1f);
            } else if (shape.length == 2 && shape[0] > 1) {
                double std = Math.sqrt(2.0 / (shape[0] + shape[1]));
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (r.nextGaussian() * std);
                }
            }
            out.put(name, v);
        });
        return out;
    }

    static Map<String, float[]> checkedWeights(NetworkSpec spec, Map<String, float[]> weights) {
        Map<String, float[]> out = new LinkedHashMap<>();
        shapes(spec).forEach((name, shape) -> {
            float[] v = weights.get(name);
            if (v == null) {
                throw new IllegalArgumentException("network weights lack array '" + name + "' (spec " + spec + ")");
            }
            if (v.length != size(shape)) {
                throw new IllegalArgumentException("network weight '" + name + "' has " + v.length
                        + " values, the spec " + spec + " needs " + size(shape));
            }
            out.put(name, v.clone());
        });
        return out;
    }

    /** Builds the graph into {@code sd} with these initial weights. */
    /** The names of the encoder's arrays (input projection and encoder layers): all but {@link LstmHead#WEIGHTS}. */
    static List<String> encoderWeights(NetworkSpec s) {
        List<String> names = new ArrayList<>(shapes(s).keySet());
        names.removeAll(List.of(LstmHead.WEIGHTS));
        return names;
    }

    /**
     * The encoder alone, for training it: its output {@link #ENCODED} times the placeholder {@link
     * #ENCODED_GRADIENT}, summed, is the graph's loss, so SameDiff's gradients of that loss are the encoder weights'
     * gradients of the whole network's loss once the placeholder holds d loss / d encoder output ({@link LstmHead}
     * computes it).
     */
    static void buildEncoder(SameDiff sd, NetworkSpec s, Map<String, float[]> weights) {
        Map<String, long[]> shapes = shapes(s);
        Map<String, SDVariable> w = new LinkedHashMap<>();
        encoderWeights(s).forEach(name ->
                w.put(name, sd.var(name, Nd4j.create(weights.get(name), shapes.get(name), 'c'))));
        SDVariable x = sd.placeHolder(FEATURES, DataType.FLOAT, -1, s.features());
        SDVariable gradient = sd.placeHolder(ENCODED_GRADIENT, DataType.FLOAT, -1, s.modelDim());
        SDVariable h = sd.identity(ENCODED, encoder(sd, s, w, x));
        sd.sum(LOSS, h.mul(gradient));
        sd.setLossVariables(LOSS);
    }

    /** The whole network, its output {@link #OUTPUT} and its training loss {@link #LOSS}. */
    static void build(SameDiff sd, NetworkSpec s, Map<String, float[]> weights) {
        Map<String, SDVariable> w = new LinkedHashMap<>();
        shapes(s).forEach((name, shape) ->
                w.put(name, sd.var(name, Nd4j.create(weights.get(name), shape, 'c'))));
        SDVariable x = sd.placeHolder(FEATURES, DataType.FLOAT, -1, s.features());
        SDVariable y = sd.placeHolder(TARGETS, DataType.FLOAT, -1, s.outputs());
        SDVariable mask = sd.placeHolder(WEIGHTS, DataType.FLOAT, -1, s.outputs());
        SDVariable h = encoder(sd, s, w, x);
        // LSTM over the steps: [length, 1, width] in time-major layout
        SDVariable steps = sd.expandDims(h, 1);
        LSTMLayerConfig config = LSTMLayerConfig.builder()
                .lstmdataformat(LSTMDataFormat.TNS).directionMode(LSTMDirectionMode.FWD)
                .gateAct(LSTMActivations.SIGMOID).cellAct(LSTMActivations.TANH).outAct(LSTMActivations.TANH)
                .retFullSequence(true).retLastC(false).retLastH(false).build();
        LSTMLayerWeights lstmWeights = LSTMLayerWeights.builder()
                .weights(w.get("lstm_W")).rWeights(w.get("lstm_R")).bias(w.get("lstm_b")).build();
        SDVariable seq = sd.rnn().lstmLayer(steps, lstmWeights, config)[0];
        SDVariable flat = sd.squeeze(seq, 1);
        SDVariable out = sd.nn().sigmoid(OUTPUT, flat.mmul(w.get("head_W")).add(w.get("head_b")));
        SDVariable err = out.sub(y);
        SDVariable weighted = sd.math().abs(err).mul(mask).sum();
        sd.math().div(LOSS, weighted, mask.sum().add(1e-6));
        sd.setLossVariables(LOSS);
    }

    /** Input projection and post-norm encoder layers with per-head attention over {@code x}. */
    private static SDVariable encoder(SameDiff sd, NetworkSpec s, Map<String, SDVariable> w, SDVariable x) {
        SDVariable h = x.mmul(w.get("in_W")).add(w.get("in_b"));
        double scale = 1.0 / Math.sqrt(s.modelDim() / (double) s.heads());
        for (int l = 0; l < s.encoderLayers(); l++) {
            String p = "enc" + l + "_";
            SDVariable[] heads = new SDVariable[s.heads()];
            for (int k = 0; k < s.heads(); k++) {
                SDVariable q = h.mmul(w.get(p + "q" + k));
                SDVariable key = h.mmul(w.get(p + "k" + k));
                SDVariable v = h.mmul(w.get(p + "v" + k));
                SDVariable scores = sd.mmul(q, key, false, true, false).mul(scale);
                heads[k] = sd.nn().softmax(scores).mmul(v);
            }
            SDVariable attended = (heads.length == 1 ? heads[0] : sd.concat(1, heads)).mmul(w.get(p + "o"));
            h = sd.nn().layerNorm(h.add(attended), w.get(p + "ln1_g"), w.get(p + "ln1_b"), false, 1);
            SDVariable ff = sd.nn().relu(h.mmul(w.get(p + "ff1_W")).add(w.get(p + "ff1_b")), 0)
                    .mmul(w.get(p + "ff2_W")).add(w.get(p + "ff2_b"));
            h = sd.nn().layerNorm(h.add(ff), w.get(p + "ln2_g"), w.get(p + "ln2_b"), false, 1);
        }
        return h;
    }
}
