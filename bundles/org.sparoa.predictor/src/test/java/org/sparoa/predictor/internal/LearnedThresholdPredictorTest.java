package org.sparoa.predictor.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparoa.api.learn.SequenceNetwork;
import org.sparoa.api.learn.SequenceNetworks;
import org.sparoa.api.predict.OperatorFeatures;
import org.sparoa.api.predict.OperatorThresholds;
import org.sparoa.ml.Networks;
import org.sparoa.predictor.DatasetRecord;
import org.sparoa.predictor.Descriptors;
import org.sparoa.predictor.MeasuredNeighbours;
import org.sparoa.predictor.PredictorFile;
import org.sparoa.predictor.SizeBands;
import org.sparoa.predictor.ThresholdScale;
import org.sparoa.predictor.Trainer;

class LearnedThresholdPredictorTest {
    private final SequenceNetworks networks = Networks.outsideOsgi(1);

    private static List<OperatorFeatures> ops(int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> new OperatorFeatures("op" + i,
                i % 2 == 0 ? "Conv" : "Relu", List.of(new long[] {1, 16, 32, 32}), List.of(new long[] {1, 16, 32, 32}),
                1e6, 1e5, i % 2 == 0 ? 0.8 : Double.NaN, 0.3, 256, null, null, 1)).collect(Collectors.toList());
    }

    /** A 3x3 depthwise convolution over {@code channels} planes of side {@code side}, 80 % of its weights zero. */
    private static OperatorFeatures depthwise(long channels, long side) {
        long[] shape = {1, channels, side, side};
        return new OperatorFeatures("dw", "Conv", List.of(shape, new long[] {channels, 1, 3, 3}), List.of(shape),
                18.0 * channels * side * side, 8.0 * channels * side * side, 0.8, 0, 9 * channels, new long[] {3, 3},
                new long[] {1, 1}, channels);
    }

    @Test
    void aFreshInstallPredictsWithTheShippedModel(@TempDir Path dir) {
        LearnedThresholdPredictor p = new LearnedThresholdPredictor(networks, dir.resolve("none.bin"));
        assertEquals("bundled default", p.info().source());
        assertTrue(p.info().modelBytes() > 0 && p.info().modelBytes() <= 4 * 1024 * 1024, "file " + p.info());
        List<OperatorThresholds> t = p.predict(ops(5), Descriptors.liveCpuPair());
        assertEquals(5, t.size());
        for (int i = 0; i < t.size(); i++) {
            assertEquals("op" + i, t.get(i).name());
            assertTrue(t.get(i).sparsity() >= 0 && t.get(i).sparsity() <= 1, t.get(i).toString());
            assertTrue(t.get(i).intensity() >= ThresholdScale.MIN_INTENSITY
                    && t.get(i).intensity() <= ThresholdScale.MAX_INTENSITY, t.get(i).toString());
        }
    }

    @Test
    void theShippedModelCarriesTheMeasuredOperatorsItsNeighbourFeatureReads() throws Exception {
        byte[] bytes;
        try (java.io.InputStream in = LearnedThresholdPredictor.class
                .getResourceAsStream(LearnedThresholdPredictor.DEFAULT_RESOURCE)) {
            bytes = in.readAllBytes();
        }
        PredictorFile shipped = PredictorFile.fromBytes(bytes, "shipped");
        // every labelled operator of the committed data set's CPU and simulated pairs: well over a thousand
        assertTrue(shipped.neighbours().size() > 1000, "measured neighbours: " + shipped.neighbours().size());
        OperatorFeatures pointwise = new OperatorFeatures("pw", "Conv", List.of(new long[] {1, 64, 28, 28}),
                List.of(new long[] {1, 64, 28, 28}), 2.0 * 64 * 64 * 28 * 28, 4.0 * 2 * 64 * 28 * 28, 0.8, 0, 4096,
                new long[] {1, 1}, new long[] {1, 1}, 1);
        double t = shipped.neighbours().threshold(pointwise, Descriptors.liveCpuPair().id(), null);
        assertTrue(t >= 0 && t <= 1, "a pointwise convolution has measured neighbours: " + t);
        // and the size bands learnt from the committed data set: a large element-wise Add is ONNX Runtime's
        OperatorFeatures add = new OperatorFeatures("add", "Add", List.of(new long[] {1, 96, 20, 20}),
                List.of(new long[] {1, 96, 20, 20}), 38400, 460800, Double.NaN, 0, 0, null, null, 1);
        assertEquals(1.0, shipped.sizeBands().threshold(add, Descriptors.liveCpuPair().id()),
                "bands: " + shipped.sizeBands().rules().keySet());
        // and depthwise convolutions by their output plane: 64x64 is sparse-cpu's, 16x16 ONNX Runtime's
        assertEquals(0.0, shipped.sizeBands().threshold(depthwise(24, 64), Descriptors.liveCpuPair().id()),
                "rules: " + shipped.sizeBands().rules().keySet());
        assertEquals(1.0, shipped.sizeBands().threshold(depthwise(96, 16), Descriptors.liveCpuPair().id()));
    }

    @Test
    void aNewerModelFileIsPickedUpByTheNextPredictionAndABrokenOneIsIgnored(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("threshold-predictor.bin");
        LearnedThresholdPredictor p = new LearnedThresholdPredictor(networks, file);
        long shipped = p.info().version();
        try (SequenceNetwork net = networks.create(Trainer.spec(), 99, 0.001)) {
            new PredictorFile(shipped + 1, "test", Trainer.spec(), net.weights()).write(file);
        }
        p.predict(ops(3), Descriptors.liveCpuPair());
        assertEquals(shipped + 1, p.info().version());
        assertEquals(file.toString(), p.info().source());

        Files.writeString(file, "not a model");
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5000));
        assertEquals(3, p.predict(ops(3), Descriptors.liveCpuPair()).size(), "still predicts");
        assertEquals(shipped + 1, p.info().version(), "keeps the model it had");
    }

    /**
     * The bundle stopped while requests predict (two threads: members on the caller and a helper): deactivation ends
     * and so does every prediction in flight. Before the fix a prediction whose helper task the stop dropped waited
     * forever, holding the networks, and the stop waited for them (a CI run hung on it for 80 minutes).
     */
    @Test
    void deactivationWhilePredictingEndsAndSoDoesThePredictionInFlight(@TempDir Path dir) throws Exception {
        LearnedThresholdPredictor p = new LearnedThresholdPredictor(networks, dir.resolve("none.bin"), 2);
        AtomicInteger done = new AtomicInteger();
        AtomicBoolean stopping = new AtomicBoolean();
        AtomicBoolean deactivated = new AtomicBoolean();
        AtomicReference<Throwable> before = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            while (!deactivated.get()) {
                try {
                    assertEquals(6, p.predict(ops(6), Descriptors.liveCpuPair()).size());
                    done.incrementAndGet();
                } catch (RuntimeException | AssertionError e) {
                    if (!stopping.get()) {
                        before.set(e);
                    }
                    return; // once the stop began a call may be refused; it must not hang
                }
            }
        }, "predicting-caller");
        caller.start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (done.get() < 3 && caller.isAlive() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertTrue(done.get() >= 3, "three predictions before the stop; failure: " + before.get());
        stopping.set(true);
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(60), p::deactivate, "deactivation ends");
        deactivated.set(true);
        caller.join(60_000);
        assertTrue(!caller.isAlive(), "the prediction in flight ended");
        assertEquals(null, before.get(), "no prediction failed before the stop");
    }

    @Test
    void aSavedModelThisBundleCannotReadAtStartLeavesTheBundledOneInUse(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("threshold-predictor.bin");
        Files.writeString(file, "written by an older bundle");
        LearnedThresholdPredictor p = new LearnedThresholdPredictor(networks, file);
        assertEquals("bundled default", p.info().source());
        assertEquals(3, p.predict(ops(3), Descriptors.liveCpuPair()).size(), "predicts with the bundled model");
        assertEquals("bundled default", p.info().source(), "the unreadable file is not tried again unchanged");
    }

    @Test
    void operatorsWithoutWeightsAreDecidedByTheModelsSizeBandsTheOthersByItsNetwork(@TempDir Path dir) {
        // measured Relus: the sparse backend wins up to 4,096 output elements, the dense one above
        List<DatasetRecord> measured = new java.util.ArrayList<>();
        for (long e = 256; e <= 1 << 20; e *= 2) {
            boolean sparseWins = e <= 4096;
            measured.add(new DatasetRecord("m", "real", 0, Descriptors.liveCpuPair(), false,
                    new OperatorFeatures("r", "Relu", List.of(new long[] {1, e}), List.of(new long[] {1, e}), e,
                            8.0 * e, Double.NaN, 0, 0, null, null, 1), false, new double[] {0, 0.5, 0.9}, new double[3],
                    new double[] {sparseWins ? 0.5 : 2, sparseWins ? 0.5 : 2, sparseWins ? 0.5 : 2},
                    new double[] {1, 1, 1}, sparseWins ? 0.0 : 1.0, null));
        }
        Path banded = dir.resolve("banded.bin");
        Path plain = dir.resolve("plain.bin");
        try (SequenceNetwork net = networks.create(Trainer.spec(), 5, 0.001)) {
            new PredictorFile(1, "test", Trainer.spec(), List.of(net.weights()), MeasuredNeighbours.NONE,
                    SizeBands.fit(measured)).write(banded);
            new PredictorFile(1, "test", Trainer.spec(), List.of(net.weights()), MeasuredNeighbours.NONE).write(plain);
        }
        LearnedThresholdPredictor withBands = new LearnedThresholdPredictor(networks, banded);
        LearnedThresholdPredictor networkOnly = new LearnedThresholdPredictor(networks, plain);
        OperatorFeatures small = new OperatorFeatures("small", "Relu", List.of(new long[] {1, 8, 16, 16}),
                List.of(new long[] {1, 8, 16, 16}), 2048, 16384, Double.NaN, 0.3, 0, null, null, 1);
        // ops(2): a Conv (weights: the network's) and a Relu of 16,384 output elements (above the band's edge)
        List<OperatorFeatures> asked = List.of(ops(2).get(0), ops(2).get(1), small);
        List<OperatorThresholds> t = withBands.predict(asked, Descriptors.liveCpuPair());
        List<OperatorThresholds> n = networkOnly.predict(asked, Descriptors.liveCpuPair());
        assertEquals(1.0, t.get(1).sparsity(), "a large Relu: the dense backend at any sparsity");
        assertEquals(0.0, t.get(2).sparsity(), "a small Relu: the sparse backend at any sparsity");
        assertEquals(n.get(0), t.get(0), "the Conv's thresholds are the network's");
        // on another pair the CPU pair's bands say nothing: the network answers for the Relus too
        assertEquals(networkOnly.predict(asked, Descriptors.liveGpuPair("cuda-gpu")),
                withBands.predict(asked, Descriptors.liveGpuPair("cuda-gpu")));
    }
}
