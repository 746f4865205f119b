package org.sparoa.ml.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.sparoa.api.learn.NetworkSpec;
import org.sparoa.api.learn.Sequence;
import org.sparoa.api.learn.SequenceNetwork;
import org.sparoa.api.learn.SequenceNetworks;
import org.sparoa.ml.Networks;

/**
 * A training step of {@link TransformerLstmNetwork} (plain-Java back-propagation through the LSTM and head, SameDiff
 * for the encoder, {@link NamedAdam}) against SameDiff differentiating and training the whole graph, its
 * {@code lstmLayer} op included: the same gradients and the same weights after Adam steps, to float rounding.
 */
class TrainingStepTest {
    private final SequenceNetworks networks = Networks.outsideOsgi(1);

    /** Random targets, and target weights with zeros, halves and ones. */
    private static Sequence example(NetworkSpec spec, int length, long seed) {
        Random r = new Random(seed);
        float[][] y = new float[length][spec.outputs()];
        float[][] w = new float[length][spec.outputs()];
        for (int t = 0; t < length; t++) {
            for (int k = 0; k < spec.outputs(); k++) {
                y[t][k] = r.nextFloat();
                w[t][k] = r.nextInt(3) / 2f;
            }
        }
        return new Sequence(PlainTransformerLstmTest.inputs(length, spec.features(), seed), y, w);
    }

    private void assertSameGradients(NetworkSpec spec, long seed, int length) {
        Sequence s = example(spec, length, seed + 1);
        try (SequenceNetwork net = networks.restore(spec, PlainTransformerLstmTest.everyWeightRandom(spec, seed),
                0.001)) {
            TransformerLstmNetwork n = (TransformerLstmNetwork) net;
            double[] loss = new double[1];
            Map<String, float[]> ours = n.gradients(s, loss);
            Map<String, float[]> graph = n.gradientsWithGraph(s);
            assertEquals(graph.keySet(), ours.keySet());
            graph.forEach((name, expected) -> {
                float[] actual = ours.get(name);
                double largest = 0;
                for (float v : expected) {
                    largest = Math.max(largest, Math.abs(v));
                }
                // over one step nothing reaches the recurrent weights (no previous output) nor the queries and
                // keys (attention over one step is that step whatever they are)
                boolean zeroByDesign = length == 1 && (name.equals("lstm_R") || name.matches("enc\\d+_[qk]\\d+"));
                assertTrue(largest > 0 || zeroByDesign,
                        name + ": the graph's gradient is zero, the comparison would see nothing");
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], actual[i], 1e-6 + 2e-4 * largest,
                            name + "[" + i + "] (largest " + largest + ", spec " + spec + ", length " + length + ")");
                }
            });
            assertEquals(net.loss(s), loss[0], 1e-6, "the loss a step reports is the loss before it");
        }
    }

    @Test
    void thePredictorsShapeGetsSameDiffsGradients() {
        assertSameGradients(new NetworkSpec(40, 2, 32, 2, 1, 32), 5, 60);
    }

    @Test
    void deeperAndWiderNetworksAndOneStepToo() {
        assertSameGradients(new NetworkSpec(7, 3, 24, 3, 2, 16), 11, 25);
        assertSameGradients(new NetworkSpec(7, 3, 24, 3, 2, 16), 12, 1);
    }

    @Test
    void stepsEndOnTheWeightsSameDiffsOwnAdamReaches() {
        NetworkSpec spec = new NetworkSpec(6, 2, 16, 2, 1, 12);
        Map<String, float[]> start = PlainTransformerLstmTest.everyWeightRandom(spec, 21);
        double rate = 0.003;
        Sequence[] steps = {example(spec, 17, 1), example(spec, 9, 2), example(spec, 23, 3), example(spec, 17, 4)};
        Map<String, float[]> ours;
        try (SequenceNetwork net = networks.restore(spec, start, rate)) {
            for (Sequence s : steps) {
                net.fit(s);
            }
            ours = net.weights();
        }
        SameDiff sd = SameDiff.create();
        TransformerLstmGraph.build(sd, spec, start);
        sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(rate))
                .dataSetFeatureMapping(TransformerLstmGraph.FEATURES)
                .dataSetLabelMapping(TransformerLstmGraph.TARGETS, TransformerLstmGraph.WEIGHTS).build());
        for (Sequence s : steps) {
            sd.fit(new MultiDataSet(new INDArray[] {Nd4j.create(s.features())},
                    new INDArray[] {Nd4j.create(s.targets()), Nd4j.create(s.weights())}));
        }
        int moved = 0;
        for (String name : ours.keySet()) {
            float[] expected = sd.getVariable(name).getArr().dup('c').data().asFloat();
            float[] actual = ours.get(name);
            float[] before = start.get(name);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 2e-5, name + "[" + i + "]");
                if (Math.abs(actual[i] - before[i]) > rate) {
                    moved++;
                }
            }
        }
        assertTrue(moved > 100, "the steps moved the weights (" + moved + " by more than the learning rate)");
    }
}
