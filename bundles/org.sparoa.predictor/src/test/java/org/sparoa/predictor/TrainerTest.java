package org.sparoa.predictor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparoa.api.learn.SequenceNetwork;
import org.sparoa.api.learn.SequenceNetworks;
import org.sparoa.ml.Networks;

/** Training on the tiny data set only (CI): it learns, stops early, and its file reads back to the same network. */
class TrainerTest {
    private final SequenceNetworks networks = Networks.outsideOsgi(1);

    @Test
    void trainingOnATinyDataSetLearnsTheCrossoversAndSavesAFileThatPredictsTheSame(@TempDir Path dir) {
        List<DatasetRecord> train = TinyData.models(5, 6);
        List<DatasetRecord> test = TinyData.models(1, 9);
        Trainer.Result r = Trainer.train(networks, train, new Trainer.Options(12, 12, 0.01, 3, 0.15, 1),
                TinyData.QUIET, () -> false);
        assertFalse(r.cancelled());
        assertTrue(r.epochs().get(r.epochs().size() - 1).validationLoss() < r.epochs().get(0).validationLoss(),
                "validation loss falls: " + r.epochs());
        MeasuredNeighbours neighbours = MeasuredNeighbours.of(train);
        try (SequenceNetwork net = networks.restore(r.spec(), r.weights(), 0.01)) {
            double learned = Evaluation.score(test, Evaluation.network(net, neighbours)).sparsityAccuracy();
            double fixed = Evaluation.score(test, Evaluation.fixed(0.5, 10)).sparsityAccuracy();
            assertTrue(learned > fixed, "learned " + learned + " vs fixed " + fixed);

            Path file = dir.resolve("p.bin");
            new PredictorFile(7, "test", r.spec(), List.of(r.weights()), neighbours).write(file);
            PredictorFile back = PredictorFile.read(file);
            assertEquals(7, back.version());
            assertEquals(neighbours.size(), back.neighbours().size());
            try (SequenceNetwork again = networks.restore(back.spec(), back.members().get(0), 0.01)) {
                List<DatasetRecord> group = TrainingSet.groups(test).values().iterator().next();
                float[][] a = net.predict(TrainingSet.sequence(group, 2, neighbours).features());
                float[][] b = again.predict(TrainingSet.sequence(group, 2, back.neighbours()).features());
                for (int i = 0; i < a.length; i++) {
                    assertEquals(a[i][0], b[i][0], 0f);
                }
            }
        }
    }

    @Test
    void earlyStoppingEndsTrainingWhenValidationStopsImprovingAndKeepsTheEpochWithFewestWrongDecisions() {
        Trainer.Result r = Trainer.train(networks, TinyData.models(4, 3), new Trainer.Options(200, 1, 0.05, 5, 0.3, 1),
                TinyData.QUIET, () -> false);
        assertTrue(r.epochs().size() < 200, "stopped after " + r.epochs().size() + " epochs");
        assertFalse(r.epochs().get(r.epochs().size() - 1).best(), "the last epoch did not improve");
        Trainer.Epoch kept = r.epochs().stream().filter(Trainer.Epoch::best).reduce((a, b) -> b).orElseThrow();
        for (Trainer.Epoch e : r.epochs()) {
            assertTrue(e.validationDecisions() > 0, "validation decisions are counted: " + e.describe());
            assertTrue(kept.validationErrors() < e.validationErrors() || (kept.validationErrors() == e.validationErrors()
                    && kept.validationLoss() <= e.validationLoss()), "kept " + kept.describe() + " over " + e.describe());
        }
    }

    @Test
    void noEpochBeforeTheMinimumIsKeptAndPatienceCountsFromIt() {
        int min = 4;
        Trainer.Result r = Trainer.train(networks, TinyData.models(4, 3),
                new Trainer.Options(200, 1, 0.05, 5, 0.3, 1, Trainer.Options.AVERAGING, min),
                TinyData.QUIET, () -> false);
        assertTrue(r.epochs().size() > min, "patience 1 counts from the minimum epoch: " + r.epochs().size());
        for (Trainer.Epoch e : r.epochs()) {
            assertEquals(e.epoch() == min, e.epoch() <= min && e.best(),
                    "before the minimum no epoch is kept, the minimum one always is: " + e.describe());
        }
        assertThrows(IllegalArgumentException.class,
                () -> new Trainer.Options(1, 1, 0.01, 1, 0.1, 1, 0.9, -1));
    }

    @Test
    void theAverageOfTheWeightsMovesTowardsEachStepByOneMinusTheDecay() {
        Map<String, float[]> average = new java.util.HashMap<>(Map.of("w", new float[] {0f, 2f}));
        Trainer.blend(average, Map.of("w", new float[] {1f, 2f}), 0.75);
        assertEquals(0.25f, average.get("w")[0], 1e-6f);
        assertEquals(2f, average.get("w")[1], 1e-6f);
        Trainer.blend(average, Map.of("w", new float[] {1f, 0f}), 0.75);
        assertEquals(0.4375f, average.get("w")[0], 1e-6f);
        assertEquals(1.5f, average.get("w")[1], 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> new Trainer.Options(1, 1, 0.01, 1, 0.1, 1, 1.0),
                "a decay of 1 would never move");
    }
}
