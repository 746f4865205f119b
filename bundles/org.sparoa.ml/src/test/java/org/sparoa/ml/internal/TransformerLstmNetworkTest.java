package org.sparoa.ml.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.sparoa.api.learn.NetworkSpec;
import org.sparoa.ml.Networks;
import org.sparoa.api.learn.Sequence;
import org.sparoa.api.learn.SequenceNetwork;
import org.sparoa.api.learn.SequenceNetworks;

class TransformerLstmNetworkTest {
    private static final NetworkSpec SPEC = new NetworkSpec(3, 2, 8, 2, 1, 8);
    private final SequenceNetworks networks = Networks.outsideOsgi(1);

    /** Per step: output 0 is the step's first feature, output 1 the previous step's second (it needs the order). */
    private static Sequence example(Random r, int length) {
        float[][] x = new float[length][3];
        float[][] y = new float[length][2];
        float[][] w = new float[length][2];
        for (int t = 0; t < length; t++) {
            x[t][0] = r.nextFloat();
            x[t][1] = r.nextFloat();
            x[t][2] = 1;
            y[t][0] = x[t][0];
            y[t][1] = t == 0 ? 0.5f : x[t - 1][1];
            w[t][0] = 1;
            w[t][1] = t == 0 ? 0 : 1;
        }
        return new Sequence(x, y, w);
    }

    /**
     * Three sequences with the same inputs and targets 0.2, 0.2 and 0.9: the loss is the absolute error, so the network
     * learns their median (0.2, the side most of them are on), not their mean (0.43).
     */
    @Test
    void whereTheInputsCannotTellTargetsApartTheNetworkLearnsTheirMedian() {
        float[][] x = new float[4][];
        for (int t = 0; t < x.length; t++) {
            x[t] = new float[] {0.3f, 0.6f, 1};
        }
        Sequence[] same = {constant(x, 0.2f), constant(x, 0.2f), constant(x, 0.9f)};
        try (SequenceNetwork net = networks.create(SPEC, 3, 0.01)) {
            for (int i = 0; i < 150; i++) {
                for (Sequence s : same) {
                    net.fit(s);
                }
            }
            for (float[] out : net.predict(x)) {
                assertEquals(0.2, out[0], 0.1, "the median 0.2, not the mean 0.43: " + out[0]);
            }
        }
    }

    private static Sequence constant(float[][] x, float target) {
        float[][] y = new float[x.length][2];
        float[][] w = new float[x.length][2];
        for (int t = 0; t < x.length; t++) {
            y[t][0] = target;
            w[t][0] = 1;
        }
        return new Sequence(x, y, w);
    }

    @Test
    void trainingLowersTheLossOnHeldOutSequences() {
        Random r = new Random(7);
        Sequence[] train = new Sequence[8];
        for (int i = 0; i < train.length; i++) {
            train[i] = example(r, 5 + r.nextInt(20));
        }
        Sequence test = example(new Random(99), 30);
        try (SequenceNetwork net = networks.create(SPEC, 1, 0.01)) {
            double before = net.loss(test);
            for (int epoch = 0; epoch < 20; epoch++) {
                for (Sequence s : train) {
                    net.fit(s);
                }
            }
            double after = net.loss(test);
            assertTrue(after < before * 0.5, "loss before " + before + ", after " + after);
            assertEquals(30, net.predict(test.features()).length);
        }
    }

    @Test
    void restoredWeightsPredictExactlyTheSame() {
        Sequence s = example(new Random(3), 12);
        try (SequenceNetwork net = networks.create(SPEC, 5, 0.01)) {
            net.fit(s);
            Map<String, float[]> weights = net.weights();
            assertEquals(net.parameterCount(), weights.values().stream().mapToLong(v -> v.length).sum());
            try (SequenceNetwork copy = networks.restore(SPEC, weights, 0.01)) {
                float[][] a = net.predict(s.features());
                float[][] b = copy.predict(s.features());
                for (int i = 0; i < a.length; i++) {
                    assertArrayEquals(a[i], b[i], 0f);
                }
            }
        }
    }

    @Test
    void missingOrMisSizedWeightsAreNamed() {
        Map<String, float[]> weights;
        try (SequenceNetwork net = networks.create(SPEC, 5, 0.01)) {
            weights = new HashMap<>(net.weights());
        }
        float[] recurrent = weights.put("lstm_R", new float[3]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> networks.restore(SPEC, weights, 0.01));
        assertTrue(e.getMessage().contains("lstm_R"), e.getMessage());
        weights.put("lstm_R", recurrent);
        weights.remove("head_W");
        e = assertThrows(IllegalArgumentException.class, () -> networks.restore(SPEC, weights, 0.01));
        assertTrue(e.getMessage().contains("head_W"), e.getMessage());
    }

    @Test
    void aRowOfTheWrongWidthIsRefused() {
        try (SequenceNetwork net = networks.create(SPEC, 5, 0.01)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> net.predict(new float[][] {{1, 2}}));
            assertTrue(e.getMessage().contains("row 0 has 2 values"), e.getMessage());
        }
    }
}
