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
        return measured(model, op(type, elements), false, simulated, tie, sparseWins, sparseWins, sparseWins);
    }

    /** A measured line of {@code op} where the sparse backend wins at the levels {@code wins} says (no ties). */
    private static DatasetRecord line(String model, OperatorFeatures op, boolean pruned, boolean... wins) {
        return measured(model, op, pruned, false, false, wins);
    }

    /**
     * A line of {@code op} where the sparse backend wins at the levels {@code wins} says, {@code tie} at every level;
     * a pruned operator's policy sparsity is the level's.
     */
    private static DatasetRecord measured(String model, OperatorFeatures op, boolean pruned, boolean simulated,
                                          Boolean tie, boolean... wins) {
        double[] sparse = new double[LEVELS.length];
        double[] dense = new double[LEVELS.length];
        double[][] sparseRepeats = new double[LEVELS.length][];
        double[][] denseRepeats = new double[LEVELS.length][];
        Boolean[] ties = new Boolean[LEVELS.length];
        int won = 0;
        for (int j = 0; j < LEVELS.length; j++) {
            sparse[j] = wins[j] ? 0.5 : 2.0;
            dense[j] = 1.0;
            sparseRepeats[j] = new double[] {sparse[j], sparse[j]};
            denseRepeats[j] = new double[] {dense[j], dense[j]};
            ties[j] = tie;
            won += wins[j] ? 1 : 0;
        }
        Double label = won == LEVELS.length ? Double.valueOf(0.0) : won == 0 ? Double.valueOf(1.0) : null;
        return new DatasetRecord(model, simulated ? "synthetic" : "real", 0, CPU, simulated, op, pruned, LEVELS,
                pruned ? LEVELS.clone() : new double[LEVELS.length], sparse, dense, label, null, 2, sparseRepeats,
                denseRepeats, ties);
    }

    /** A 3x3 depthwise convolution over {@code channels} planes of side {@code side}, weights {@code sparsity} zero. */
    private static OperatorFeatures depthwise(long channels, long side, double sparsity) {
        long[] shape = {1, channels, side, side};
        return new OperatorFeatures("dw", "Conv", List.of(shape, new long[] {channels, 1, 3, 3}), List.of(shape),
                18.0 * channels * side * side, 8.0 * channels * side * side, sparsity, 0, 9 * channels,
                new long[] {3, 3}, new long[] {1, 1}, channels);
    }

    /** An element-wise Mul over {@code channels} planes of {@code plane} elements. */
    private static OperatorFeatures mul(long channels, long plane) {
        long[] shape = {1, channels, 1, plane};
        return new OperatorFeatures("mul", "Mul", List.of(shape, shape), List.of(shape), channels * plane,
                12.0 * channels * plane, Double.NaN, 0, 0, null, null, 1);
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
        BandRule band = bands.rules().get(CPU.id() + "|Add");
        // every training pair is decided right, which no single size threshold can do
        assertEquals(band.pairs(), band.correct(), band.toString());
        assertEquals(SizeMeasure.OUTPUT_ELEMENTS, band.measure());
        assertEquals(null, band.splitBy(), "one model: no split to choose by leaving models out");
        assertEquals(0.0, bands.threshold(op("Add", 1_000), CPU.id()));
        assertEquals(1.0, bands.threshold(op("Add", 100_000), CPU.id()));
        assertEquals(0.0, bands.threshold(op("Add", 50_000_000), CPU.id()));
        BandRule.Band stump = SizeBands.bestBand(adds().stream().filter(r -> r.op().outputShapes().get(0)[1] < 200_000)
                .map(r -> new double[] {SizeMeasure.OUTPUT_ELEMENTS.log(r.op()), r.sparseMs()[0] < 1 ? 1 : 0})
                .toList());
        assertEquals(stump.pairs(), stump.correct(), "a one-sided split is a band too: " + stump);
    }

    @Test
    void matrixProductsTypesSeenTooRarelyAndOtherPairsGetNoBand() {
        List<DatasetRecord> data = new ArrayList<>(adds());
        for (long e = 100; e < 100_000_000L; e *= 2) {
            data.add(line("m", "Conv", e, e > 10_000, false, false));
        }
        data.add(line("m", "Relu", 1000, true, false, false)); // 3 pairs: under MIN_PAIRS
        SizeBands bands = SizeBands.fit(data);
        assertTrue(Double.isNaN(bands.threshold(op("Conv", 1000), CPU.id())),
                "a convolution that is not depthwise stays the network's");
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
        List<DatasetRecord> data = new ArrayList<>(adds());
        data.addAll(mulsDecidedByChannels(List.of("a", "b", "c")));
        data.addAll(depthwiseLines());
        SizeBands bands = SizeBands.fit(data);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            bands.write(out);
        }
        SizeBands back = SizeBands.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), "test",
                PredictorFile.FORMAT);
        assertEquals(bands, back);
        assertFalse(back.rules().isEmpty());
        assertTrue(back.rules().values().stream().anyMatch(r -> r.splitBy() != null), "a split rule as well");
        assertTrue(back.rules().values().stream().anyMatch(r -> r.measure() == SizeMeasure.OUTPUT_PLANE),
                "a depthwise rule as well");
    }

    @Test
    void bandsOfFormatFourReadAsOutputElementRulesWithoutSplits() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(1);
            out.writeUTF(CPU.id() + "|Add");
            out.writeDouble(Math.log(10_000)); // sparse outside (10^4, 10^6]
            out.writeDouble(Math.log(1_000_000));
            out.writeBoolean(false);
            out.writeInt(40);
            out.writeInt(40);
        }
        SizeBands old = SizeBands.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), "v4", 4);
        BandRule rule = old.rules().get(CPU.id() + "|Add");
        assertEquals(BandRule.of(SizeMeasure.OUTPUT_ELEMENTS, new BandRule.Band(Math.log(10_000),
                Math.log(1_000_000), false, 40, 40)), rule);
        assertEquals(0.0, old.threshold(op("Add", 1_000), CPU.id()));
        assertEquals(1.0, old.threshold(op("Add", 100_000), CPU.id()));
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

    /** Muls in each of {@code models}: the sparse backend wins where there are at most 32 channels, whatever the size. */
    private static List<DatasetRecord> mulsDecidedByChannels(List<String> models) {
        List<DatasetRecord> out = new ArrayList<>();
        for (String m : models) {
            for (long c = 4; c <= 1024; c *= 2) {
                for (long plane = 16; plane <= 16_384; plane *= 4) {
                    boolean wins = c <= 32;
                    out.add(line(m, mul(c, plane), false, wins, wins, wins));
                }
            }
        }
        return out;
    }

    /**
     * Depthwise convolutions in two models, pruned at the sparse levels: with sparse weights the sparse backend wins
     * from 32x32 planes up, with dense ones (level 0) never.
     */
    private static List<DatasetRecord> depthwiseLines() {
        List<DatasetRecord> out = new ArrayList<>();
        for (String m : List.of("a", "b")) {
            for (long side = 4; side <= 256; side *= 2) {
                for (long channels : new long[] {16, 96, 384}) {
                    boolean wins = side >= 32;
                    out.add(line(m, depthwise(channels, side, 0), true, false, wins, wins));
                }
            }
        }
        return out;
    }

    @Test
    void aSplitByChannelsIsKeptWhereItCarriesToTheModelsLeftOut() {
        SizeBands bands = SizeBands.fit(mulsDecidedByChannels(List.of("a", "b", "c")));
        BandRule rule = bands.rules().get(CPU.id() + "|Mul");
        assertEquals(SizeMeasure.CHANNELS, rule.splitBy(), rule.describe());
        assertEquals(rule.pairs(), rule.correct(), rule.describe());
        assertEquals("channels <= 45: output elements: always sparse; channels > 45: never sparse", rule.describe());
        assertEquals(0.0, bands.threshold(mul(16, 100_000), CPU.id()), "few channels, large: sparse");
        assertEquals(1.0, bands.threshold(mul(512, 64), CPU.id()), "many channels, small: dense");
    }

    @Test
    void aSplitSeenInOneModelAloneIsNotKeptForNothingShowsThatItCarries() {
        // the same channel-decided Muls, measured in one model only: a split fits them perfectly, one band cannot,
        // but with the model left out nothing is left to fit, so no split can show it decides unseen models better
        SizeBands bands = SizeBands.fit(mulsDecidedByChannels(List.of("a")));
        BandRule rule = bands.rules().get(CPU.id() + "|Mul");
        assertEquals(null, rule.splitBy(), rule.describe());
        assertTrue(rule.correct() < rule.pairs(), "one band does not fit them: " + rule.describe());
    }

    @Test
    void depthwiseConvolutionsGetPlaneRulesBySparseAndDenseWeights() {
        SizeBands bands = SizeBands.fit(depthwiseLines());
        assertEquals(java.util.Set.of(CPU.id() + "|Conv:depthwise:sparse-weights",
                CPU.id() + "|Conv:depthwise:dense-weights"), bands.rules().keySet());
        assertEquals(SizeMeasure.OUTPUT_PLANE, bands.rules().get(CPU.id() + "|Conv:depthwise:sparse-weights")
                .measure());
        assertEquals(0.0, bands.threshold(depthwise(1000, 128, 0.8), CPU.id()), "sparse weights, large plane");
        assertEquals(1.0, bands.threshold(depthwise(8, 8, 0.8), CPU.id()), "sparse weights, small plane");
        assertEquals(1.0, bands.threshold(depthwise(1000, 128, 0.0), CPU.id()), "dense weights");
        OperatorFeatures pointwise = new OperatorFeatures("pw", "Conv", List.of(new long[] {1, 64, 128, 128}),
                List.of(new long[] {1, 64, 128, 128}), 1e9, 1e7, 0.8, 0, 4096, new long[] {1, 1},
                new long[] {1, 1}, 1);
        assertTrue(Double.isNaN(bands.threshold(pointwise, CPU.id())), "a pointwise convolution is the network's");
    }
}
