package org.sparoa.ml.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.sparoa.api.learn.NetworkSpec;
import org.sparoa.api.learn.Sequence;
import org.sparoa.api.learn.SequenceNetwork;
import org.sparoa.api.learn.SequenceNetworks;
import org.sparoa.ml.Networks;

/** The plain-Java forward pass against SameDiff's on the same weights: every output equal to float rounding. */
class PlainTransformerLstmTest {
    private final SequenceNetworks networks = Networks.outsideOsgi(1);

    /** Every array random, biases and layer-norm gains included, so that none of them can be read wrongly unseen. */
    static Map<String, float[]> everyWeightRandom(NetworkSpec spec, long seed) {
        Random r = new Random(seed);
        Map<String, float[]> out = new LinkedHashMap<>();
        TransformerLstmGraph.shapes(spec).forEach((name, shape) -> {
            float[] v = new float[(int) TransformerLstmGraph.size(shape)];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) ((name.endsWith("_g") ? 1 : 0) + r.nextGaussian() * 0.4);
            }
            out.put(name, v);
        });
        return out;
    }

    static float[][] inputs(int length, int width, long seed) {
        Random r = new Random(seed);
        float[][] x = new float[length][width];
        for (float[] row : x) {
            for (int j = 0; j < width; j++) {
                row[j] = r.nextFloat() < 0.3f ? 0 : (float) r.nextGaussian();
            }
        }
        return x;
    }

    private void assertSameAsGraph(NetworkSpec spec, long seed, int... lengths) {
        try (SequenceNetwork net = networks.restore(spec, everyWeightRandom(spec, seed), 0.001)) {
            TransformerLstmNetwork graph = (TransformerLstmNetwork) net;
            for (int length : lengths) {
                float[][] x = inputs(length, spec.features(), seed + length);
                float[][] expected = graph.predictWithGraph(x);
                float[][] actual = net.predict(x);
                assertEquals(expected.length, actual.length);
                double spread = 0;
                for (int t = 0; t < length; t++) {
                    for (int k = 0; k < spec.outputs(); k++) {
                        assertEquals(expected[t][k], actual[t][k], 2e-5,
                                "step " + t + " output " + k + " of " + length + " (spec " + spec + ")");
                        spread = Math.max(spread, Math.abs(expected[t][k] - expected[0][k]));
                    }
                }
                assertTrue(length == 1 || spread > 1e-3, "the outputs vary along the sequence, so the comparison"
                        + " sees the attention and the LSTM at work: spread " + spread);
            }
        }
    }

    @Test
    void thePredictorsShapeGivesTheGraphsOutputs() {
        assertSameAsGraph(new NetworkSpec(40, 2, 32, 2, 1, 32), 5, 1, 9, 300);
    }

    @Test
    void deeperAndWiderNetworksToo() {
        assertSameAsGraph(new NetworkSpec(7, 3, 24, 3, 2, 16), 11, 2, 40);
    }

    @Test
    void aTrainingStepIsSeenByTheNextPrediction() {
        NetworkSpec spec = new NetworkSpec(5, 2, 8, 2, 1, 8);
        try (SequenceNetwork net = networks.restore(spec, everyWeightRandom(spec, 3), 0.05)) {
            float[][] x = inputs(12, 5, 4);
            float[][] before = net.predict(x);
            float[][] y = new float[12][2];
            float[][] w = new float[12][2];
            for (float[] row : w) {
                java.util.Arrays.fill(row, 1);
            }
            net.fit(new Sequence(x, y, w));
            float[][] after = net.predict(x);
            float[][] graph = ((TransformerLstmNetwork) net).predictWithGraph(x);
            assertTrue(after[0][0] != before[0][0], "the step changed the weights the prediction uses");
            assertEquals(graph[0][0], after[0][0], 2e-5);
        }
    }
}
