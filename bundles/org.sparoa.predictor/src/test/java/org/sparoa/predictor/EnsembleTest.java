package org.sparoa.predictor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparoa.api.learn.NetworkSpec;
import org.sparoa.api.learn.SequenceNetwork;
import org.sparoa.api.learn.SequenceNetworks;
import org.sparoa.ml.Networks;

/** Ensembles: members from different seeds, their median as the prediction, and the file that holds them all. */
class EnsembleTest {
    private final SequenceNetworks networks = Networks.outsideOsgi(1);

    @Test
    void membersTrainFromConsecutiveSeedsAndTheEnsemblePredictsTheirMean(@TempDir Path dir) {
        List<Long> seeds = new ArrayList<>();
        Trainer.Listener listener = new Trainer.Listener() {
            @Override
            public void step(int epoch, int done, int total) {
            }

            @Override
            public void epoch(Trainer.Epoch e) {
            }

            @Override
            public void member(int index, int of, long seed) {
                assertEquals(2, of);
                seeds.add(seed);
            }
        };
        List<Trainer.Result> members = Trainer.trainMembers(networks, TinyData.models(4, 6),
                new Trainer.Options(3, 3, 0.01, 21, 0.15, 1), 2, listener, () -> false);
        assertEquals(List.of(21L, 22L), seeds);
        assertEquals(2, members.size());
        NetworkSpec spec = members.get(0).spec();
        float[][] x = TrainingSet.sequence(TinyData.models(1, 7), 1).features();
        try (SequenceNetwork a = networks.restore(spec, members.get(0).weights(), 0.01);
             SequenceNetwork b = networks.restore(spec, members.get(1).weights(), 0.01);
             Ensemble both = Ensemble.restore(networks, spec, Trainer.weights(members), 0.01)) {
            float[][] ya = a.predict(x);
            float[][] yb = b.predict(x);
            assertNotEquals(ya[0][0], yb[0][0], "two seeds, two different networks");
            float[][] mean = both.predict(x);
            for (int i = 0; i < x.length; i++) {
                for (int k = 0; k < 2; k++) {
                    assertEquals((ya[i][k] + yb[i][k]) / 2, mean[i][k], 1e-6f, "position " + i + " output " + k);
                }
            }
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
            try {
                float[][] parallel = both.predict(x, pool, 2);
                for (int i = 0; i < x.length; i++) {
                    assertEquals(mean[i][0], parallel[i][0], 0f, "members on two threads answer the same");
                    assertEquals(mean[i][1], parallel[i][1], 0f);
                }
            } finally {
                pool.shutdownNow();
            }
            java.util.concurrent.ExecutorService shutDown = java.util.concurrent.Executors.newSingleThreadExecutor();
            shutDown.shutdown();
            java.util.concurrent.Executor dropping = task -> { }; // as shutdownNow does with a queued task
            for (java.util.concurrent.Executor helpers : List.of(dropping, shutDown)) {
                float[][] alone = assertTimeoutPreemptively(java.time.Duration.ofMinutes(1),
                        () -> both.predict(x, helpers, 2), "a group no helper runs is run by the caller, not awaited");
                for (int i = 0; i < x.length; i++) {
                    assertEquals(mean[i][0], alone[i][0], 0f, "the caller ran the dropped group itself");
                    assertEquals(mean[i][1], alone[i][1], 0f);
                }
            }
            float[][] first = both.subset(0, 1).predict(x);
            assertEquals(ya[0][0], first[0][0], 0f, "a subset answers with its own members");
            float[][] second = both.of(1).predict(x);
            assertEquals(yb[0][0], second[0][0], 0f, "members picked by index answer as themselves");
            assertEquals(2, both.of(1, 0).size());
            assertEquals(members.get(0).epochs().size() + " / " + members.get(1).epochs().size(),
                    Trainer.epochsRun(members, " / "), "the epochs each member ran");

            Path file = dir.resolve("ensemble.bin");
            new PredictorFile(3, "test", spec, Trainer.weights(members)).write(file);
            PredictorFile back = PredictorFile.read(file);
            assertEquals(2, back.members().size());
            assertEquals(2L * members.get(0).weights().values().stream().mapToLong(v -> v.length).sum(),
                    back.parameters());
            try (Ensemble again = Ensemble.restore(networks, back.spec(), back.members(), 0.01)) {
                assertEquals(mean[3][0], again.predict(x)[3][0], 0f);
            }
        }
    }

    @Test
    void theMembersAnswerWithTheirMedianSoThatOneOutlierDoesNotMoveIt() {
        float[][] a = {{0.10f, 0.5f}};
        float[][] b = {{0.20f, 0.6f}};
        float[][] outlier = {{0.90f, 0.0f}};
        float[][] three = Ensemble.combine(List.of(a, outlier, b));
        assertEquals(0.20f, three[0][0], 0f, "the middle one, not the mean 0.4");
        assertEquals(0.50f, three[0][1], 0f);
        float[][] four = Ensemble.combine(List.of(a, outlier, b, new float[][] {{0.30f, 0.7f}}));
        assertEquals(0.25f, four[0][0], 1e-6f, "even count: the mean of the middle two");
        assertEquals(0.15f, Ensemble.combine(List.of(a, b))[0][0], 1e-6f, "two members: their mean");
    }

    @Test
    void aFileOfTheFirstFormatReadsAsOneMember() throws Exception {
        NetworkSpec spec = Trainer.spec();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(bytes))) {
            out.writeInt(PredictorFile.MAGIC);
            out.writeInt(1);
            out.writeInt(FeatureEncoder.VERSION);
            out.writeLong(4);
            out.writeUTF("format 1");
            for (int v : new int[] {spec.features(), spec.outputs(), spec.modelDim(), spec.heads(),
                    spec.encoderLayers(), spec.lstmUnits()}) {
                out.writeInt(v);
            }
            out.writeInt(1);
            out.writeUTF("w");
            out.writeInt(2);
            out.writeFloat(1.5f);
            out.writeFloat(-2f);
        }
        PredictorFile f = PredictorFile.fromBytes(bytes.toByteArray(), "old.bin");
        assertEquals(4, f.version());
        assertEquals(1, f.members().size());
        assertEquals(-2f, f.members().get(0).get("w")[1]);
    }

    @Test
    void aFileClaimingTooManyMembersIsRefusedByName() throws Exception {
        PredictorFile good = new PredictorFile(1, "x", Trainer.spec(), Map.of("w", new float[] {1}));
        byte[] ok = good.toBytes();
        assertEquals(1, PredictorFile.fromBytes(ok, "ok.bin").members().size());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(bytes))) {
            out.writeInt(PredictorFile.MAGIC);
            out.writeInt(PredictorFile.FORMAT);
            out.writeInt(FeatureEncoder.VERSION);
            out.writeLong(1);
            out.writeUTF("x");
            for (int i = 0; i < 6; i++) {
                out.writeInt(8);
            }
            out.writeInt(1000);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PredictorFile.fromBytes(bytes.toByteArray(), "huge.bin"));
        assertTrue(e.getMessage().contains("huge.bin") && e.getMessage().contains("1000 ensemble members"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PredictorFile(1, "x", Trainer.spec(), List.of()));
    }

    @Test
    void leaveModelOutScoresEachMemberAloneAndTheEnsemblesOfTheFirstMembers() {
        List<DatasetRecord> records = TinyData.models(3, 6);
        List<String> trained = new ArrayList<>();
        List<Evaluation.Fold> folds = Evaluation.leaveModelOut(networks, records,
                new Trainer.Options(2, 2, 0.01, 5, 0.15, 1), 2, TinyData.QUIET, new Evaluation.FoldListener() {
                    @Override
                    public void trained(String model, NetworkSpec spec, List<Map<String, float[]>> members) {
                        assertEquals(2, members.size());
                        trained.add(model);
                    }
                }, () -> false);
        assertEquals(3, folds.size(), "one fold per model");
        assertEquals(List.of("tiny-0", "tiny-1", "tiny-2"), trained);
        for (Evaluation.Fold f : folds) {
            assertEquals(2, f.alone().size());
            assertEquals(2, f.firstMembers().size());
            assertEquals(f.alone().get(0), f.firstMembers().get(0), "the first member alone is the first prefix");
            assertEquals(f.predictor(), f.firstMembers().get(1), "the predictor is the whole ensemble");
            assertEquals(6 * TinyData.LEVELS.length, f.predictor().sparsityPairs());
        }
        String table = FoldTable.table(folds);
        assertTrue(table.contains("- each member alone, all folds") && table.contains("; 2: "), table);
        assertTrue(table.contains("- the first k members together"), table);
    }

    @Test
    void aResumedLeaveModelOutScoresTheFoldsItKeptWithoutTrainingThemAgain() {
        List<DatasetRecord> records = TinyData.models(3, 6);
        Trainer.Options options = new Trainer.Options(2, 2, 0.01, 5, 0.15, 1);
        Map<String, PredictorFile> kept = new java.util.HashMap<>();
        List<Evaluation.Fold> first = Evaluation.leaveModelOut(networks, records, options, 2, TinyData.QUIET,
                new Evaluation.FoldListener() {
                    @Override
                    public void trained(String model, NetworkSpec spec, List<Map<String, float[]>> members) {
                        kept.put(model, new PredictorFile(1, "fold without " + model, spec, members));
                    }
                }, () -> false);
        // the run "stopped" after its first two folds: the resumed run trains only the third
        kept.remove("tiny-2");
        List<String> trainedAgain = new ArrayList<>();
        List<Evaluation.Fold> resumed = Evaluation.leaveModelOut(networks, records, options, 2, TinyData.QUIET,
                new Evaluation.FoldListener() {
                    @Override
                    public void trained(String model, NetworkSpec spec, List<Map<String, float[]>> members) {
                        trainedAgain.add(model);
                    }

                    @Override
                    public PredictorFile trainedBefore(String model) {
                        return kept.get(model);
                    }
                }, () -> false);
        assertEquals(List.of("tiny-2"), trainedAgain);
        assertEquals(first, resumed, "training is deterministic: the resumed run reports what the whole run did");
    }
}
