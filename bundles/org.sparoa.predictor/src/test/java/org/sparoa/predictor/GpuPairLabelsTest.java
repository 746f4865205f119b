package org.sparoa.predictor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.sparoa.api.BoundaryCost;
import org.sparoa.api.predict.BackendPair;
import org.sparoa.api.predict.OperatorFeatures;

/** Lines of a live CPU/GPU pair: measured times, an intensity label from the measured decision, scored as such. */
class GpuPairLabelsTest {
    private static final double[] LEVELS = {0, 0.5, 0.9};

    @Test
    void theIntensityLabelLiesBeyondTheOperatorsIntensityOnTheSideThatWon() {
        assertEquals(40.0, Labels.intensityFromDecision(20, true), 1e-12, "the CPU won: the crossover is above");
        assertEquals(10.0, Labels.intensityFromDecision(20, false), 1e-12, "the GPU won: the crossover is below");
        assertNull(Labels.intensityFromDecision(20, null), "a tie decides nothing");
        assertNull(Labels.intensityFromDecision(Double.NaN, true));
        assertEquals(ThresholdScale.MAX_INTENSITY, Labels.intensityFromDecision(9e3, true), 1e-9);
    }

    @Test
    void aMeasuredGpuLineJudgesTheIntensityThresholdAndNotTheSparsityOne() {
        BackendPair gpu = Descriptors.liveGpuPair("cuda-gpu");
        // a 1x1 convolution, 2 * 64 * 64 * 28 * 28 FLOPs over its bytes: intensity about 11 FLOP/byte
        OperatorFeatures conv = new OperatorFeatures("conv", "Conv", List.of(new long[] {1, 64, 28, 28}),
                List.of(new long[] {1, 64, 28, 28}), 2.0 * 64 * 64 * 28 * 28, 2 * 4.0 * 64 * 28 * 28 + 4 * 64 * 64,
                0.0, 0.0, 64 * 64, new long[] {1, 1}, new long[] {1, 1}, 1);
        DatasetBuilder.Line line = new DatasetBuilder.Line(new ModelSource("m", Path.of("m.onnx"), Map.of(), "real"),
                0, conv, true, LEVELS, 0);
        // the GPU is faster dense and at 50 %, the sparse CPU kernels at 90 %; three repeats each, no spread
        double[][] cpu = {{2.0, 2.0, 2.0}, {1.2, 1.2, 1.2}, {0.3, 0.3, 0.3}};
        double[][] onGpu = {{0.5, 0.5, 0.5}, {0.5, 0.5, 0.5}, {0.5, 0.5, 0.5}};
        DatasetRecord r = line.measured(gpu, cpu, onGpu, Map.of("cuda-gpu", BoundaryCost.UNKNOWN), true);
        assertTrue(r.gpuPair());
        assertFalse(r.simulated(), "measured, not simulated");
        assertEquals(0.9, r.sparsityThreshold(), 1e-12);
        assertEquals(conv.intensity() / Labels.INTENSITY_SIDE, r.intensityThreshold(), 1e-9,
                "the GPU won the dense level, so the crossover is below the operator's intensity");

        Evaluation.Score low = Evaluation.score(List.of(r), Evaluation.fixed(0.5, 1));
        assertEquals(1, low.intensityPairs(), "one intensity decision per operator");
        assertEquals(1, low.intensityCorrect(), "intensity 11 >= 1: the GPU, as measured");
        assertEquals(0, low.sparsityPairs(), "the GPU pair's lines do not judge the sparsity threshold");
        assertEquals(0, Evaluation.score(List.of(r), Evaluation.fixed(0.5, 100)).intensityCorrect());
        assertTrue(Evaluation.decisions(List.of(r), Evaluation.fixed(0.5, 10)).isEmpty());
    }

    @Test
    void theCpuPairsLinesStillJudgeOnlyTheSparsityThreshold() {
        DatasetRecord r = TinyData.record("m", 0, 0);
        assertFalse(r.gpuPair());
        Evaluation.Score s = Evaluation.score(List.of(r), Evaluation.fixed(0.5, 10));
        assertEquals(TinyData.LEVELS.length, s.sparsityPairs());
        assertEquals(0, s.intensityPairs());
    }
}
