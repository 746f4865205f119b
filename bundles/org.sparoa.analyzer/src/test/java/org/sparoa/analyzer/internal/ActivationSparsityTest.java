package org.sparoa.analyzer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparoa.api.analysis.AnalysisOptions;
import org.sparoa.api.analysis.ModelAnalysis;
import org.sparoa.api.analysis.OperatorMetrics;
import org.sparoa.api.analysis.SparsityStats;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.RunOptions;
import org.sparoa.api.Tensor;
import org.sparoa.api.RandomInputs;

/**
 * Activation sparsity after ReLU-family operators equals a direct count: the test makes its own calibration inputs,
 * runs each through the engine itself capturing every intermediate tensor, counts the exact zeros of each ReLU-family
 * output with a plain loop, and compares min, mean and max over the runs with the analysis of the same inputs.
 */
class ActivationSparsityTest {
    private static final Set<String> RELU_FAMILY = Set.of("Relu", "Clip", "LeakyRelu", "HardSwish", "HardSigmoid",
            "ThresholdedRelu");
    private static AnalyzerFixture fixture;

    @BeforeAll
    static void start() {
        fixture = new AnalyzerFixture();
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ppocr:ch_ppocr_mobile_v2.0_cls_infer.onnx", "shared:models/blazeface_front_128x128.onnx",
        "shared:models/mlsd_320x320_tiny.onnx"})
    void reluFamilyOutputsMatchADirectCount(String where) {
        Path file = where.startsWith("ppocr:") ? TestModels.ppocr(where.substring(6))
                : TestModels.shared(where.substring(7));
        Model model = fixture.load(null, file);
        int runs = 3;
        List<Map<String, Tensor>> sets = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            sets.add(RandomInputs.forModel(model, where.contains("cls") ? TestModels.CLS_SHAPE : Map.of(), 1000 + r));
        }
        ModelAnalysis a = fixture.analyzer.analyze(model.id(),
                AnalysisOptions.defaults().withInputSets(sets).withCalibrationRuns(runs));
        assertEquals(runs, a.calibrationRuns());

        List<Map<String, Tensor>> captured = new ArrayList<>();
        for (Map<String, Tensor> set : sets) {
            InferenceResult r = fixture.platform.inference().infer(model.id(), set,
                    new RunOptions("ort-cpu", null, Map.of(), true));
            captured.add(r.intermediates());
        }
        int checked = 0;
        int partlyZero = 0;
        for (Node n : model.graph().nodes()) {
            if (!RELU_FAMILY.contains(n.opType())) {
                continue;
            }
            double[] perRun = new double[runs];
            for (int r = 0; r < runs; r++) {
                perRun[r] = zeroFraction(captured.get(r).get(n.outputs().get(0)));
            }
            SparsityStats got = metrics(a, n.name()).outputSparsity().orElseThrow();
            assertEquals(runs, got.runs());
            assertEquals(min(perRun), got.min(), 1e-12, n + " min");
            assertEquals(mean(perRun), got.mean(), 1e-12, n + " mean");
            assertEquals(max(perRun), got.max(), 1e-12, n + " max");
            // an operator whose only activation input is this output sees the same sparsity on its input
            for (Node consumer : model.graph().consumers(n.outputs().get(0))) {
                long activationInputs = consumer.inputs().stream()
                        .filter(t -> !t.isEmpty() && !model.graph().isWeight(t)).count();
                if (activationInputs == 1) {
                    assertEquals(mean(perRun), metrics(a, consumer.name()).inputSparsity().orElseThrow().mean(), 1e-12,
                            consumer + " input");
                }
            }
            if (mean(perRun) > 0.05 && mean(perRun) < 0.95) {
                partlyZero++;
            }
            checked++;
        }
        assertTrue(checked > 5, "ReLU-family operators in " + model.id() + ": " + checked);
        assertTrue(partlyZero > 0, "some ReLU output is partly zero on random inputs");
        fixture.platform.models().unload(model.id());
    }

    private static double zeroFraction(Tensor t) {
        FloatBuffer f = t.floatView();
        long zeros = 0;
        for (int i = 0; i < f.limit(); i++) {
            if (f.get(i) == 0f) {
                zeros++;
            }
        }
        return (double) zeros / f.limit();
    }

    private static double min(double[] v) {
        double m = v[0];
        for (double x : v) {
            m = Math.min(m, x);
        }
        return m;
    }

    private static double max(double[] v) {
        double m = v[0];
        for (double x : v) {
            m = Math.max(m, x);
        }
        return m;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static OperatorMetrics metrics(ModelAnalysis a, String name) {
        return a.operators().stream().filter(o -> o.name().equals(name)).findFirst().orElseThrow();
    }
}
