package org.sparoa.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.sparoa.api.CompiledSegment;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Placement;
import org.sparoa.api.PlanCost;
import org.sparoa.api.RandomInputs;
import org.sparoa.api.RunOptions;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SchedulingPolicy;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;
import org.sparoa.api.analysis.AnalysisOptions;
import org.sparoa.api.analysis.Calibration;
import org.sparoa.api.analysis.ModelAnalysis;
import org.sparoa.api.analysis.ModelAnalyzer;
import org.sparoa.api.analysis.ModelTotals;
import org.sparoa.api.analysis.Thresholds;
import org.sparoa.backend.ort.internal.OrtCpuBackend;

/**
 * The planning pipeline as a whole: the policy gets the calibration's analysis, measured operator, segment and
 * hand-over costs and the input shapes; calibration happens once per model and shapes; no stage re-enters the
 * engine; unloading a model closes its plans and releases its parsed form.
 */
class PlanningPipelineTest {
    private static final Path CLS = TestModels.ppocr("ch_ppocr_mobile_v2.0_cls_infer.onnx");
    private static final long[] SHAPE = {1, 3, 48, 192};

    /** An analyzer that records the calibrations it is given and answers a minimal analysis. */
    private static final class RecordingAnalyzer implements ModelAnalyzer {
        final List<Calibration> given = new CopyOnWriteArrayList<>();

        @Override
        public ModelAnalysis analyze(Model model, Calibration calibration) {
            given.add(calibration);
            return new ModelAnalysis(model.id(), model.sha256(), List.of(),
                    new ModelTotals(0, 0, 0, model.operatorCount(), model.operatorCount()), defaultThresholds(),
                    calibration.runs(), 0, calibration.notes());
        }

        @Override
        public ModelAnalysis analyze(String modelId, AnalysisOptions options) {
            throw new AssertionError("the pipeline never asks the analyzer to calibrate");
        }

        @Override
        public Optional<ModelAnalysis> cached(String modelSha256) {
            return Optional.empty();
        }

        @Override
        public Thresholds defaultThresholds() {
            return new Thresholds(0.5, 10);
        }
    }

    /** A policy that keeps the contexts it was given and splits the model in two halves over two backends. */
    private static final class RecordingPolicy implements SchedulingPolicy {
        final List<SchedulingContext> contexts = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public Placement place(SchedulingContext context) {
            contexts.add(context);
            List<Node> nodes = context.model().graph().nodes();
            Map<String, String> p = new HashMap<>();
            for (int i = 0; i < nodes.size(); i++) {
                p.put(nodes.get(i).name(), i < nodes.size() / 2 ? "ort-cpu" : "ort-cpu-b");
            }
            return new Placement(p);
        }
    }

    /** Two ONNX Runtime backends, no measured choice, the recording analyzer and policy, and PP-OCR cls loaded. */
    private static final class Recorded implements AutoCloseable {
        final OrtCpuBackend a = new OrtCpuBackend("ort-cpu", 1, 1);
        final OrtCpuBackend b = new OrtCpuBackend("ort-cpu-b", 1, 1);
        final LocalPlatform p = LocalPlatform.withoutMeasuredPlans(a, b);
        final RecordingAnalyzer analyzer = new RecordingAnalyzer();
        final RecordingPolicy policy = new RecordingPolicy();
        final Model m;

        Recorded() {
            p.setAnalyzer(analyzer);
            p.addPolicy(policy, Map.of(SchedulingPolicy.PROP_NEEDS_COSTS, true));
            m = p.models().load("cls", CLS);
        }

        @Override
        public void close() {
            p.close();
            b.close();
            a.close();
        }
    }

    @Test
    void thePolicyGetsAnalysisCostsAndShapesAndNoStageReEntersTheEngine() {
        try (Recorded r0 = new Recorded()) {
            LocalPlatform p = r0.p;
            RecordingAnalyzer analyzer = r0.analyzer;
            RecordingPolicy policy = r0.policy;
            Model m = r0.m;
            Map<String, Tensor> in = RandomInputs.forModel(m, Map.of("x", SHAPE), 3);

            InferenceResult r = p.inference().infer("cls", in, RunOptions.withPolicy("recording", Map.of()));
            assertEquals(1, p.requestsReceived(), "calibration, profiling and measuring ran without the service");
            assertEquals(2, r.plan().segments().size());
            assertNull(r.plan().fallbackReason());

            assertEquals(1, policy.contexts.size());
            SchedulingContext c = policy.contexts.get(0);
            assertArrayEquals(SHAPE, c.inputShapes().get("x"), "typed input shapes");
            assertTrue(c.analysis().isPresent(), "the analysis of the pipeline's calibration");
            Calibration cal = analyzer.given.get(0);
            assertEquals(2, cal.runs(), "the engine's default calibration runs");
            String firstConvOut = m.graph().nodes().get(0).outputs().get(0);
            assertEquals(4, cal.shape(firstConvOut).orElseThrow().length, "intermediate shapes are measured");
            Node first = m.graph().nodes().get(0);
            assertTrue(c.costs().operatorMillis("ort-cpu", first).orElseThrow() > 0, "measured operator costs");
            assertTrue(c.costs().segmentMillis("ort-cpu") > 0, "a measured fixed cost per segment");
            assertTrue(c.costs().transferMillis("ort-cpu", "ort-cpu-b", firstConvOut) > 0,
                    "a measured hand-over cost");
            assertEquals(0, c.costs().transferMillis("ort-cpu", "ort-cpu", firstConvOut));
            Map<String, String> split = new RecordingPolicy().place(c).backendByNode();
            PlanCost.Estimate e = PlanCost.of(m.graph(), split, c.costs());
            assertEquals(2, e.segments());
            assertTrue(e.handoverMillis() > 0);

            // other options: a new plan, but the same calibration and analysis (once per model and shapes)
            p.inference().infer("cls", in, RunOptions.withPolicy("recording", Map.of("other", "1")));
            assertEquals(2, policy.contexts.size());
            assertEquals(1, analyzer.given.size(), "calibrated once per model and input shapes");
            assertSame(c.analysis().orElseThrow(), policy.contexts.get(1).analysis().orElseThrow());
            // other input shapes run on the plan made for the first ones (plans are not keyed by shapes)
            Map<String, Tensor> wider = RandomInputs.forModel(m, Map.of("x", new long[] {1, 3, 48, 320}), 3);
            p.inference().infer("cls", wider, RunOptions.withPolicy("recording", Map.of()));
            assertEquals(1, analyzer.given.size());
            assertEquals(3, p.requestsReceived());
        }
    }

    /**
     * A plan query carries no inputs. On a model with dynamic input dimensions it is planned for the shapes the model's
     * requests had most recently, with their calibration and measured costs, so that a policy that needs costs (sac)
     * does not fall back; before any request there is nothing to calibrate on, and the query says so.
     */
    @Test
    void aPlanQueryOnADynamicModelUsesTheShapesOfItsLatestRequest() {
        try (Recorded r = new Recorded()) {
            Node first = r.m.graph().nodes().get(0);

            r.p.inference().plan("cls", RunOptions.withPolicy("recording", Map.of("before", "requests")));
            SchedulingContext before = r.policy.contexts.get(0);
            assertTrue(before.costs().operatorMillis("ort-cpu", first).isEmpty(), "nothing measured yet");

            Map<String, Tensor> in = RandomInputs.forModel(r.m, Map.of("x", SHAPE), 3);
            r.p.inference().infer("cls", in, RunOptions.withPolicy("recording", Map.of()));
            int calibrations = r.analyzer.given.size();
            r.p.inference().plan("cls", RunOptions.withPolicy("recording", Map.of("after", "a request")));
            SchedulingContext after = r.policy.contexts.get(r.policy.contexts.size() - 1);
            assertArrayEquals(SHAPE, after.inputShapes().get("x"), "the latest request's shapes");
            assertTrue(after.costs().operatorMillis("ort-cpu", first).isPresent(),
                    "the first operator, which reads the dynamic input, has its measured cost");
            assertEquals(calibrations, r.analyzer.given.size(), "the request's calibration, not a new one");
        }
    }

    /** Counts the compiled segments it hands out that are still open. */
    private static final class CountingBackend extends DelegatingBackend {
        final AtomicInteger open = new AtomicInteger();

        CountingBackend(OrtCpuBackend delegate) {
            super(delegate);
        }

        @Override
        public CompiledSegment compile(Segment segment) {
            open.incrementAndGet();
            return new WrappedSegment(segment) {
                @Override
                public CompletableFuture<Map<String, Tensor>> execute(Map<String, Tensor> inputs) {
                    return inner.execute(inputs);
                }

                @Override
                public void close() {
                    open.decrementAndGet();
                    super.close();
                }
            };
        }
    }

    @Test
    void unloadingAModelClosesItsPlansAndDropsItsParsedForm() {
        try (OrtCpuBackend ort = new OrtCpuBackend("ort-cpu", 1, 1)) {
            CountingBackend counting = new CountingBackend(ort);
            try (LocalPlatform p = LocalPlatform.of(counting)) {
                Model m = p.models().load("cls", CLS);
                Map<String, Tensor> in = RandomInputs.forModel(m, Map.of("x", SHAPE), 3);
                p.inference().infer("cls", in, RunOptions.defaults());
                p.inference().infer("cls", in, RunOptions.withPolicy(SchedulingPolicy.FIRST_CAPABLE,
                        Map.of("variant", "2")));
                assertEquals(2, counting.open.get(), "two cached plans of one segment each");
                assertTrue(org.sparoa.onnx.internal.ParsedModelCache.holds(m));
                assertTrue(p.models().unload("cls"));
                assertEquals(0, counting.open.get(), "the unloaded model's plans are closed");
                // the protobuf and initializers (about the file's size again) go now, not when the GC and a later
                // load happen to clear a weak reference: 120 hostile models held 88 MiB of heap after GC before this
                assertFalse(org.sparoa.onnx.internal.ParsedModelCache.holds(m), "the parsed form is released");
                assertFalse(p.models().get("cls").isPresent());
            }
        }
    }
}
