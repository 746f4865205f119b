package org.sparoa.predictor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.sparoa.api.predict.BackendPair;
import org.sparoa.api.predict.OperatorFeatures;

class SizeBandsTest {
    private static final BackendPair CPU = Descriptors.liveCpuPair();
    private static final double[] LEVELS = {0, 0.5, 0.8};

    /** An operator of {@code type} with one output of {@code elements} elements (1 x elements). */
    private static OperatorFeatures op(String type, long elements) {
        return new OperatorFeatures("op", type, List.of(new long[] {1, elements}), List.of(new long[] {1, elements}),
                elements, 8.0 * elements, Double.NaN, 0, 0, null, null, 1);
    }

    /** A measured line where the sparse backend wins at every level or at none; {@code tie} at every level. */
    private static DatasetRecord line(String model, String type, long elements, boolean sparseWins, Boolean tie,
                                      boolean simulated) {
        double[] sparse = new double[LEVELS.length];
        double[] dense = new double[LEVELS.length];
        double[][] sparseRepeats = new double[LEVELS.length][];
        double[][] denseRepeats = new double[LEVELS.length][];
        Boolean[] ties = new Boolean[LEVELS.length];
        for (int j = 0; j < LEVELS.length; j++) {
            sparse[j] = sparseWins ? 0.5 : 2.0;
            dense[j] = 1.0;
            sparseRepeats[j] = new double[] {sparse[j], sparse[j]};
            denseRepeats[j] = new double[] {dense[j], dense[j]};
            ties[j] = tie;
        }
        return new DatasetRecord(model, simulated ? "synthetic" : "real", 0, CPU, simulated, op(type, elements), false,
                LEVELS, new double[LEVELS.length], sparse, dense, sparseWins ? 0.0 : 1.0, null, 2, sparseRepeats,
                denseRepeats, ties);
    }

    /**
     * Element-wise Adds as the data set has them: the sparse backend wins below 10^4 elements and above 10^6, the
     * dense one between.
     */
    private static List<DatasetRecord> adds() {
        List<DatasetRecord> out = new ArrayList<>();
        for (long e = 100; e <= 100_000_000L; e *= 2) {
            out.add(line("m", "Add", e, e < 10_000 || e > 1_000_000, false, false));
        }
        return out;
    }

    @Test
    void aBackendThatWinsSmallAndLargeOperatorsButNotTheOnesBetweenIsLearntAsABand() {
        SizeBands bands = SizeBands.fit(adds());
        SizeBands.Band band = bands.bands().get(CPU.id() + "|Add");
        // every training pair is decided right, which no single size threshold can do
        assertEquals(band.pairs(), band.correct(), band.toString());
        assertEquals(0.0, bands.threshold(op("Add", 1_000), CPU.id()));
        assertEquals(1.0, bands.threshold(op("Add", 100_000), CPU.id()));
        assertEquals(0.0, bands.threshold(op("Add", 50_000_000), CPU.id()));
        SizeBands.Band stump = SizeBands.bestBand(adds().stream().filter(r -> r.op().outputShapes().get(0)[1] < 200_000)
                .map(r -> new double[] {SizeBands.logOutputElements(r.op()), r.sparseMs()[0] < 1 ? 1 : 0}).toList());
        assertEquals(stump.pairs(), stump.correct(), "a one-sided split is a band too: " + stump);
    }

    @Test
    void operatorsWithWeightsTypesSeenTooRarelyAndOtherPairsGetNoBand() {
        List<DatasetRecord> data = new ArrayList<>(adds());
        for (long e = 100; e < 100_000_000L; e *= 2) {
            data.add(line("m", "Conv", e, e > 10_000, false, false));
        }
        data.add(line("m", "Relu", 1000, true, false, false)); // 3 pairs: under MIN_PAIRS
        SizeBands bands = SizeBands.fit(data);
        assertTrue(Double.isNaN(bands.threshold(op("Conv", 1000), CPU.id())), "a weighted type stays the network's");
        assertTrue(Double.isNaN(bands.threshold(op("Relu", 1000), CPU.id())), "too few pairs");
        assertTrue(Double.isNaN(bands.threshold(op("Add", 1000), "sparse-cpu/cuda-gpu")), "another pair");
        assertTrue(Double.isNaN(SizeBands.NONE.threshold(op("Add", 1000), CPU.id())));
        OperatorFeatures noShape = new OperatorFeatures("x", "Add", List.of(),
                java.util.Collections.singletonList(null), 0, 0, Double.NaN, 0, 0, null, null, 1);
        assertTrue(Double.isNaN(bands.threshold(noShape, CPU.id())), "no output shape, no size");
    }

    @Test
    void tiesAndSimulatedLinesDoNotTeachTheBand() {
        List<DatasetRecord> data = new ArrayList<>(adds());
        // contradicting lines: ties (either backend is within the noise) and simulated ones
        for (long e = 20_000; e < 1_000_000; e *= 2) {
            for (int k = 0; k < 5; k++) {
                data.add(line("m", "Add", e, true, true, false));
                data.add(line("sim", "Add", e, true, false, true));
            }
        }
        SizeBands bands = SizeBands.fit(data);
        assertEquals(1.0, bands.threshold(op("Add", 100_000), CPU.id()));
        assertEquals(SizeBands.fit(adds()), bands);
    }

    @Test
    void bandsSurviveTheModelFile() throws Exception {
        SizeBands bands = SizeBands.fit(adds());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            bands.write(out);
        }
        SizeBands back = SizeBands.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), "test");
        assertEquals(bands, back);
        assertFalse(back.bands().isEmpty());
    }

    @Test
    void aModelFileOfTheFormatBeforeBandsReadsAsAModelWithoutBands() throws Exception {
        PredictorFile withBands = new PredictorFile(3, "test", Trainer.spec(), List.of(java.util.Map.of("w",
                new float[] {1, 2})), MeasuredNeighbours.NONE, SizeBands.fit(adds()));
        assertEquals(withBands.sizeBands(), PredictorFile.fromBytes(withBands.toBytes(), "v4.bin").sizeBands());
        // the same content as format 3 wrote it: format word 3, nothing after the neighbours
        byte[] v4 = new PredictorFile(3, "test", Trainer.spec(), List.of(java.util.Map.of("w", new float[] {1, 2})))
                .toBytes();
        byte[] raw;
        try (java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(new ByteArrayInputStream(v4))) {
            raw = in.readAllBytes();
        }
        byte[] v3raw = java.util.Arrays.copyOf(raw, raw.length - Integer.BYTES); // no band count
        java.nio.ByteBuffer.wrap(v3raw).putInt(Integer.BYTES, 3);
        ByteArrayOutputStream v3 = new ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(v3)) {
            out.write(v3raw);
        }
        PredictorFile old = PredictorFile.fromBytes(v3.toByteArray(), "v3.bin");
        assertEquals(SizeBands.NONE, old.sizeBands());
        assertEquals(2f, old.members().get(0).get("w")[1]);
    }

    @Test
    void trainingForBandsLeavesTheOperatorsTheBandsDecideOutOfTheNetworksLoss() {
        List<DatasetRecord> data = TinyData.models(6, 6); // 1x1 and 3x3 convolutions and Relus
        SizeBands bands = SizeBands.fit(data);
        assertEquals(0.0, bands.threshold(data.get(2).op(), CPU.id()), "Relus: always the sparse backend");
        org.sparoa.api.learn.Sequence all = TrainingSet.sequences(data, MeasuredNeighbours.NONE).get(0);
        org.sparoa.api.learn.Sequence forBands = TrainingSet.sequences(data, MeasuredNeighbours.NONE, bands).get(0);
        List<DatasetRecord> group = TrainingSet.groups(data).values().iterator().next();
        for (int i = 0; i < group.size(); i++) {
            boolean relu = group.get(i).op().opType().equals("Relu");
            assertEquals(1f, all.weights()[i][0], "without bands every labelled operator teaches");
            assertEquals(relu ? 0f : 1f, forBands.weights()[i][0], group.get(i).op().opType());
        }
    }

    @Test
    void theLeaveModelOutScoreUsesBandsLearntWithoutTheModelLeftOut() {
        // model "a" has the usual Adds; model "b" the opposite: with b left out, a's bands decide b's Adds wrong
        List<DatasetRecord> data = new ArrayList<>(adds());
        for (long e = 100; e <= 100_000_000L; e *= 2) {
            data.add(line("b", "Add", e, !(e < 10_000 || e > 1_000_000), false, false));
        }
        Evaluation.HeldOut heldB = Evaluation.heldOut(data).stream().filter(h -> h.model().equals("b")).findFirst()
                .orElseThrow();
        Evaluation.Thresholds alwaysDense = Evaluation.fixed(1.0, 10);
        Evaluation.Score banded = Evaluation.score(heldB.test(),
                Evaluation.withSizeBands(alwaysDense, SizeBands.fit(heldB.train())));
        assertEquals(0, banded.nonTieCorrect(), "bands from the other model only: " + banded);
        Evaluation.Score leaked = Evaluation.score(heldB.test(),
                Evaluation.withSizeBands(alwaysDense, SizeBands.fit(heldB.test())));
        assertEquals(leaked.nonTiePairs(), leaked.nonTieCorrect());
    }
}
