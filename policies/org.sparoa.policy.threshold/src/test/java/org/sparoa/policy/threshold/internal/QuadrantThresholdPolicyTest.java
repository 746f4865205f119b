package org.sparoa.policy.threshold.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparoa.api.analysis.ModelAnalysis;
import org.sparoa.api.analysis.OperatorMetrics;
import org.sparoa.api.analysis.Thresholds;
import org.sparoa.analyzer.internal.CalibratingModelAnalyzer;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.RunOptions;
import org.sparoa.api.CostModel;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SparoaException;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.backend.sparse.internal.SparseCpuBackend;
import org.sparoa.engine.LocalPlatform;
import org.sparoa.api.RandomInputs;
import org.sparoa.onnx.MagnitudePruner;

/**
 * {@code threshold} on BlazeFace magnitude-pruned to 70 % per layer, with the real analyzer (2 calibration runs)
 * over ort-cpu and sparse-cpu: the sparse-and-light operators of the analysis, and only they, go to sparse-cpu.
 */
class QuadrantThresholdPolicyTest {
    private static OrtCpuBackend ort;
    private static SparseCpuBackend sparse;
    private static LocalPlatform platform;
    private static CalibratingModelAnalyzer analyzer;
    private static Path pruned;
    private static Model face;
    private static Map<String, Tensor> inputs;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        pruned = dir.resolve("blazeface_back_p70.onnx");
        MagnitudePruner.prune(TestModels.shared("models/blazeface_back_256x256.onnx"), pruned, 0.7,
                MagnitudePruner.Scope.LAYER);
        ort = new OrtCpuBackend("ort-cpu", 2, 1);
        sparse = new SparseCpuBackend(2, 0.5);
        platform = LocalPlatform.withoutMeasuredPlans(ort, sparse); // the tests look at the policy's own placement
        analyzer = CalibratingModelAnalyzer.standalone(platform.models(), platform.calibrator(), Configs.analyzer());
        // thresholds from the analyzer; islands merged only when asked, so that the rule alone is visible
        platform.setAnalyzer(analyzer); // the planning pipeline hands its analysis to the policy
        platform.addPolicy(new QuadrantThresholdPolicy(-1, -1, "sparse-cpu", "", false),
                QuadrantThresholdPolicy.SERVICE_PROPERTIES);
        face = platform.models().load("face", pruned);
        inputs = RandomInputs.forModel(face, Map.of(), 11);
    }

    @AfterAll
    static void stop() {
        platform.close();
        sparse.close();
        ort.close();
    }

    private static Set<String> onBackend(InferenceResult r, String backend) {
        return r.plan().segments().stream().filter(s -> s.backendId().equals(backend))
                .flatMap(s -> s.nodeNames().stream()).collect(Collectors.toSet());
    }

    /** The operators the analysis puts in the sparse-and-light quadrant for (s*, i*). */
    private static Set<String> sparseAndLight(ModelAnalysis a, double s, double i) {
        Set<String> out = new HashSet<>();
        for (OperatorMetrics m : a.operators()) {
            if (m.sparsity().isPresent() && m.sparsity().getAsDouble() >= s && m.intensity().isPresent()
                    && m.intensity().getAsDouble() < i) {
                out.add(m.name());
            }
        }
        return out;
    }

    @Test
    void sparseAndLightOperatorsOfTheAnalysisRunOnSparseCpuAndTheRestOnOrtCpu() throws Exception {
        InferenceResult r = platform.inference().infer("face", inputs, RunOptions.withPolicy("threshold", Map.of()));
        assertNull(r.plan().fallbackReason());
        assertEquals("threshold", r.plan().policy());
        ModelAnalysis a = analyzer.cached(face.sha256()).orElseThrow();
        assertEquals(0.5, a.thresholds().sparsity());
        assertEquals(10.0, a.thresholds().intensity());
        Set<String> expected = sparseAndLight(a, 0.5, 10.0);
        System.out.printf("threshold: %d of %d operators sparse and light, %d segments%n", expected.size(),
                face.operatorCount(), r.plan().segments().size());
        assertFalse(expected.isEmpty(), "the pruned model has sparse and light operators");
        assertTrue(expected.size() < face.operatorCount(), "and others");
        assertTrue(expected.stream().allMatch(n -> sparse.supports(face.graph().node(n).orElseThrow(), face.graph())));
        assertEquals(expected, onBackend(r, "sparse-cpu"));
        Set<String> rest = face.graph().nodes().stream().map(Node::name).filter(n -> !expected.contains(n))
                .collect(Collectors.toSet());
        assertEquals(rest, onBackend(r, "ort-cpu"));
        TestModels.assertMatchesOnnxRuntime(TestModels.ortReference(pruned, inputs), r.outputs(), true);
    }

    @Test
    void requestOptionsOverrideTheThresholds() {
        ModelAnalysis a = analysis();
        // every operator with a known sparsity and intensity is sparse and light
        InferenceResult all = platform.inference().infer("face", inputs,
                RunOptions.withPolicy("threshold", Map.of("sparsity", "0", "intensity", "1e12")));
        assertEquals(sparseAndLight(a, 0, 1e12), onBackend(all, "sparse-cpu"));
        assertTrue(onBackend(all, "sparse-cpu").size() > sparseAndLight(a, 0.5, 10).size());
        // s* = 1: only operators whose weights or inputs are all zeros would qualify
        InferenceResult strict = platform.inference().infer("face", inputs,
                RunOptions.withPolicy("threshold", Map.of("sparsity", "1", "intensity", "10")));
        assertEquals(sparseAndLight(a, 1, 10), onBackend(strict, "sparse-cpu"));
        assertTrue(onBackend(strict, "sparse-cpu").size() < sparseAndLight(a, 0.5, 10).size());
    }

    /**
     * A predictor that answers by rule: Conv operators always sparse (s* 0, i* 10^4), every other one never (s* 1):
     * the policy must follow it per operator, and fall back to the constants when it is not ready, fails or leaves.
     */
    private static final class ConvOnlyPredictor implements org.sparoa.api.predict.ThresholdPredictor {
        volatile boolean ready = true;
        volatile boolean fail;
        volatile int calls;

        @Override
        public List<org.sparoa.api.predict.OperatorThresholds> predict(
                List<org.sparoa.api.predict.OperatorFeatures> operators, org.sparoa.api.predict.BackendPair pair) {
            calls++;
            if (fail) {
                throw new IllegalStateException("broken predictor");
            }
            assertEquals("sparse-cpu/ort-cpu", pair.id());
            return operators.stream().map(o -> new org.sparoa.api.predict.OperatorThresholds(o.name(),
                    o.opType().equals("Conv") ? 0 : 1, o.opType().equals("Conv") ? 1e4 : 10)).toList();
        }

        @Override
        public org.sparoa.api.predict.PredictorInfo info() {
            return new org.sparoa.api.predict.PredictorInfo(1, "test rule", 0, 0, "none");
        }

        @Override
        public boolean ready() {
            return ready;
        }
    }

    @Test
    void thePredictorsPerOperatorThresholdsApplyWhileItIsBoundAndReady() {
        QuadrantThresholdPolicy policy = new QuadrantThresholdPolicy(Configs.threshold(-1, -1, false));
        ConvOnlyPredictor predictor = new ConvOnlyPredictor();
        policy.bindPredictor(predictor);
        SchedulingContext context = withAnalysis(Map.of());
        ModelAnalysis a = analysis();
        // every Conv with known metrics; of the others only those with sparsity 1 (all-zero inputs) and i < 10
        Set<String> convsWithMetrics = new HashSet<>();
        for (OperatorMetrics m : a.operators()) {
            if (m.sparsity().isEmpty() || m.intensity().isEmpty()) {
                continue;
            }
            boolean conv = m.opType().equals("Conv");
            if (conv ? m.intensity().getAsDouble() < 1e4
                    : m.sparsity().getAsDouble() >= 1 && m.intensity().getAsDouble() < 10) {
                convsWithMetrics.add(m.name());
            }
        }
        assertTrue(convsWithMetrics.stream().anyMatch(n -> n.contains("conv2d")), "the model has convolutions");
        QuadrantThresholdPolicy.Decision d = policy.decide(context);
        assertEquals(convsWithMetrics, Set.copyOf(d.sparseLight()));
        assertEquals(face.operatorCount(), d.predicted().size());

        Set<String> constants = sparseAndLight(a, a.thresholds().sparsity(), a.thresholds().intensity());
        predictor.ready = false;
        assertEquals(constants, Set.copyOf(policy.decide(context).sparseLight()), "not ready: the constants");
        predictor.ready = true;
        predictor.fail = true;
        assertEquals(constants, Set.copyOf(policy.decide(context).sparseLight()), "failing: the constants");
        predictor.fail = false;
        int before = predictor.calls;
        assertEquals(convsWithMetrics, Set.copyOf(policy.decide(withAnalysis(Map.of()))
                .sparseLight()));
        assertTrue(predictor.calls > before);
        assertEquals(sparseAndLight(a, 0.5, 10), Set.copyOf(policy.decide(withAnalysis(
                Map.of("sparsity", "0.5", "intensity", "10"))).sparseLight()),
                "explicit thresholds win over the predictor");
        policy.unbindPredictor(predictor);
        QuadrantThresholdPolicy.Decision without = policy.decide(context);
        assertEquals(constants, Set.copyOf(without.sparseLight()), "unbound: the constants");
        assertTrue(without.predicted().isEmpty());
    }

    @Test
    void withThePredictorsThresholdsThePlanOfTheConstantsIsTimedToo() throws Exception {
        QuadrantThresholdPolicy policy = new QuadrantThresholdPolicy(Configs.threshold(-1, -1, false));
        SchedulingContext context = withAnalysis(Map.of());
        ModelAnalysis a = analysis();
        Set<String> constants = sparseAndLight(a, a.thresholds().sparsity(), a.thresholds().intensity());
        List<org.sparoa.api.Placement> alone = policy.candidates(context);
        assertEquals(constants, onSparse(alone.get(0)), "without a predictor the constants' plan is the policy's");
        assertEquals(alone.size(), Set.copyOf(alone).size());

        policy.bindPredictor(new ConvOnlyPredictor());
        List<org.sparoa.api.Placement> predicted = policy.candidates(context);
        assertEquals(policy.place(context), predicted.get(0), "the predictor's plan first");
        assertNotEquals(constants, onSparse(predicted.get(0)));
        assertEquals(constants, onSparse(predicted.get(1)), "then the plan the constant thresholds make");
        assertEquals(predicted.size(), Set.copyOf(predicted).size(), "no plan offered twice");
        assertEquals(face.operatorCount(), predicted.get(1).backendByNode().size());
    }

    private static Set<String> onSparse(org.sparoa.api.Placement p) {
        return p.backendByNode().entrySet().stream().filter(e -> e.getValue().equals("sparse-cpu"))
                .map(Map.Entry::getKey).collect(Collectors.toSet());
    }

    @Test
    void explainSaysWhereTheThresholdsCameFromAndWhyEachSparseOperatorIsThere() {
        QuadrantThresholdPolicy policy = new QuadrantThresholdPolicy(Configs.threshold(-1, -1, false));
        List<String> constant = policy.explain(withAnalysis(Map.of()));
        assertTrue(constant.get(0).startsWith("thresholds: constant s*=")
                && constant.get(0).endsWith("(no threshold predictor installed)"), constant.get(0));

        ConvOnlyPredictor predictor = new ConvOnlyPredictor();
        policy.bindPredictor(predictor);
        SchedulingContext context = withAnalysis(Map.of());
        QuadrantThresholdPolicy.Decision d = policy.decide(context);
        List<String> lines = policy.explain(context);
        assertEquals("thresholds: per operator from the threshold predictor", lines.get(0));
        assertTrue(lines.get(1).startsWith("rule: " + d.sparseLight().size() + " of " + face.operatorCount()
                + " operators sparse and light -> sparse-cpu"), lines.get(1));
        String first = d.sparseLight().get(0);
        Thresholds t = d.predicted().get(first);
        assertTrue(lines.get(2).startsWith(first + ": sparsity ") && lines.get(2).contains(String.format(
                java.util.Locale.ROOT, "s* %.2f", t.sparsity())), lines.get(2));
        int shown = Math.min(d.sparseLight().size(), QuadrantThresholdPolicy.EXPLAINED_OPERATORS);
        assertEquals(2 + shown + (d.sparseLight().size() > shown ? 1 : 0), lines.size(), String.join("\n", lines));

        predictor.ready = false;
        assertTrue(policy.explain(context).get(0).endsWith("(the threshold predictor is still loading)"));
        predictor.ready = true;
        assertTrue(policy.explain(withAnalysis(Map.of("sparsity", "0.5"))).get(0)
                .equals("thresholds: constant s*=0.5 i*=" + analysis().thresholds().intensity()
                        + " (given by the request)"));
    }

    @Test
    void configuredThresholdsApplyAndOptionsStillWin() {
        QuadrantThresholdPolicy configured = new QuadrantThresholdPolicy(Configs.threshold(0.0, 1e12, false));
        SchedulingContext context = withAnalysis(Map.of());
        QuadrantThresholdPolicy.Decision d = configured.decide(context);
        assertEquals(0.0, d.thresholds().sparsity());
        assertEquals(sparseAndLight(analysis(), 0, 1e12), Set.copyOf(d.sparseLight()));
        QuadrantThresholdPolicy.Decision overridden = configured.decide(withAnalysis(
                Map.of("sparsity", "0.5", "intensity", "10")));
        assertEquals(sparseAndLight(analysis(), 0.5, 10), Set.copyOf(overridden.sparseLight()));
        assertEquals("sparse-cpu", d.sparseBackend());
        assertEquals("ort-cpu", d.denseBackend(), "no GPU backend: the dense backend is ort-cpu");
    }

    @Test
    void withoutAnAnalysisThePolicyFailsClearlyAndTheEngineFallsBack() {
        QuadrantThresholdPolicy p = new QuadrantThresholdPolicy(-1, -1, "sparse-cpu", "", true);
        SparoaException e = assertThrows(SparoaException.class, () -> p.place(
                new SchedulingContext(face, Views.real(face, ort, sparse), Map.of())));
        assertTrue(e.getMessage().contains("install feature sparoa-analyzer"), e.getMessage());

        SchedulingContext noSparse = new SchedulingContext(face, Views.real(face, ort), Map.of(), CostModel.NONE,
                Map.of(), Optional.of(analysis()));
        e = assertThrows(SparoaException.class, () -> p.place(noSparse));
        assertTrue(e.getMessage().contains("sparse backend 'sparse-cpu' is not live"), e.getMessage());

        try (LocalPlatform noAnalyzer = LocalPlatform.withoutMeasuredPlans(ort, sparse)) {
            noAnalyzer.addPolicy(p, QuadrantThresholdPolicy.SERVICE_PROPERTIES);
            noAnalyzer.models().load("face", pruned);
            InferenceResult r = noAnalyzer.inference().infer("face", inputs, RunOptions.withPolicy("threshold",
                    Map.of()));
            assertEquals("first-capable", r.plan().policy());
            assertNotNull(r.plan().fallbackReason());
            assertTrue(r.plan().fallbackReason().contains("install feature sparoa-analyzer"),
                    r.plan().fallbackReason());
        }
    }

    @Test
    void islandsAreMergedOnMeasuredCostsAndTheOutputsStillMatch() throws Exception {
        InferenceResult ruleOnly = platform.inference().infer("face", inputs, RunOptions.withPolicy("threshold", Map.of()));
        InferenceResult merged = platform.inference().infer("face", inputs,
                RunOptions.withPolicy("threshold", Map.of("mergeIslands", "true")));
        assertNull(merged.plan().fallbackReason());
        System.out.printf("threshold on pruned BlazeFace: %d segments by the rule, %d after merging islands%n",
                ruleOnly.plan().segments().size(), merged.plan().segments().size());
        assertTrue(merged.plan().segments().size() <= ruleOnly.plan().segments().size());
        TestModels.assertMatchesOnnxRuntime(TestModels.ortReference(pruned, inputs), merged.outputs(), true);
    }

    @Test
    void aModelWithDynamicInputsIsAnalysedOnTheRequestsShapesAndFollowsTheRule() throws Exception {
        Path file = TestModels.ppocr("ch_PP-OCRv3_det_infer.onnx");
        Model det = platform.models().load("det", file);
        Map<String, Tensor> in = RandomInputs.forModel(det, Map.of("x", new long[] {1, 3, 320, 320}), 3);
        InferenceResult r = platform.inference().infer("det", in, RunOptions.withPolicy("threshold", Map.of()));
        assertNull(r.plan().fallbackReason());
        ModelAnalysis a = analyzer.cached(det.sha256()).orElseThrow();
        Set<String> expected = sparseAndLight(a, 0.5, 10);
        expected.removeIf(n -> !sparse.supports(det.graph().node(n).orElseThrow(), det.graph()));
        System.out.printf("threshold on PP-OCRv3 det: %d of %d operators sparse and light%n", expected.size(),
                det.operatorCount());
        assertFalse(expected.isEmpty());
        assertEquals(expected, onBackend(r, "sparse-cpu"));
        TestModels.assertMatchesOnnxRuntime(TestModels.ortReference(file, in), r.outputs(), true);
        platform.models().unload("det");
    }

    /** A context as the planning pipeline makes it: the live backends and the model's analysis. */
    private static SchedulingContext withAnalysis(Map<String, String> options) {
        return new SchedulingContext(face, Views.real(face, ort, sparse), options, CostModel.NONE, Map.of(),
                Optional.of(analysis()));
    }

    private static ModelAnalysis analysis() {
        return analyzer.cached(face.sha256()).orElseGet(() -> analyzer.analyze("face",
                org.sparoa.api.analysis.AnalysisOptions.defaults().onBackend("ort-cpu")));
    }
}
