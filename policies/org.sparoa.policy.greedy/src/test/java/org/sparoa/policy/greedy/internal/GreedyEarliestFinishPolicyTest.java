package org.sparoa.policy.greedy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparoa.api.BackendView;
import org.sparoa.api.CostModel;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Placement;
import org.sparoa.api.PlanCost;
import org.sparoa.api.PlanSearch;
import org.sparoa.api.RunOptions;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SegmentPlan;
import org.sparoa.api.Shapes;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.backend.sparse.internal.SparseCpuBackend;
import org.sparoa.engine.LocalPlatform;
import org.sparoa.api.RandomInputs;

/** {@code greedy} on real models with ort-cpu and sparse-cpu: cost models with known answers, then measured ones. */
class GreedyEarliestFinishPolicyTest {
    private static final Path BLAZEFACE = TestModels.shared("models/blazeface_back_256x256.onnx");
    private static OrtCpuBackend ort;
    private static SparseCpuBackend sparse;
    private static LocalPlatform platform;
    private static Model face;
    private static Map<String, Tensor> faceInputs;
    private static final Views.Recording recording =
            new Views.Recording("greedy-recorded", new GreedyEarliestFinishPolicy());

    @BeforeAll
    static void start() {
        ort = new OrtCpuBackend("ort-cpu", 2, 1);
        sparse = new SparseCpuBackend(2, 0.5);
        platform = LocalPlatform.withoutMeasuredPlans(ort, sparse); // the tests look at the policy's own placement
        platform.addPolicy(new GreedyEarliestFinishPolicy(), GreedyEarliestFinishPolicy.SERVICE_PROPERTIES);
        platform.addPolicy(recording, GreedyEarliestFinishPolicy.SERVICE_PROPERTIES);
        face = platform.models().load("face", BLAZEFACE);
        faceInputs = RandomInputs.forModel(face, Map.of(), 11);
    }

    @AfterAll
    static void stop() {
        platform.close();
        sparse.close();
        ort.close();
    }

    /** Conv 10x cheaper on sparse-cpu, everything else 10x cheaper on ort-cpu. */
    private static CostModel convOnSparse(double transferMillis) {
        return Views.costs((backend, n) -> n.opType().equals("Conv") == backend.equals("sparse-cpu") ? 0.1 : 1.0,
                transferMillis);
    }

    @Test
    void whenCostsFavourBothBackendsEachOperatorGoesWhereItIsCheaper() throws Exception {
        Placement p = new GreedyEarliestFinishPolicy().place(
                new SchedulingContext(face, Views.real(face, ort, sparse), Map.of(), convOnSparse(0.01)));
        for (Node n : face.graph().nodes()) {
            assertEquals(n.opType().equals("Conv") ? "sparse-cpu" : "ort-cpu", p.backendOf(n.name()), n.toString());
        }

        // the same decision through the engine: a valid plan over both backends, outputs as plain ONNX Runtime's
        platform.addPolicy(Views.withCosts("greedy-conv-on-sparse", new GreedyEarliestFinishPolicy(), convOnSparse(0.01)));
        InferenceResult r = platform.inference().infer("face", faceInputs,
                RunOptions.withPolicy("greedy-conv-on-sparse", Map.of()));
        assertNull(r.plan().fallbackReason());
        assertEquals(Set.of("ort-cpu", "sparse-cpu"), backends(r));
        assertMatchesOnnxRuntime(BLAZEFACE, faceInputs, r);
    }

    @Test
    void candidatesAreThePlanThenDistinctSplitsOfAtMostFourSegments() throws Exception {
        SchedulingContext context = new SchedulingContext(face, Views.real(face, ort, sparse), Map.of(),
                convOnSparse(0.01));
        GreedyEarliestFinishPolicy greedy = new GreedyEarliestFinishPolicy();
        java.util.List<Placement> candidates = greedy.candidates(context);
        assertEquals(greedy.place(context), candidates.get(0), "the policy's plan comes first");
        int planSegments = org.sparoa.api.PlanCost.of(face.graph(), candidates.get(0).backendByNode(),
                context.costs()).segments();
        assertTrue(planSegments > 4, "every Conv on sparse-cpu cuts BlazeFace into many segments: " + planSegments);
        assertTrue(candidates.size() >= 2, "a split of at most 4 segments is offered besides");
        assertEquals(candidates.size(), Set.copyOf(candidates).size(), "no candidate twice");
        for (Placement c : candidates.subList(1, candidates.size())) {
            int segments = org.sparoa.api.PlanCost.of(face.graph(), c.backendByNode(), context.costs()).segments();
            assertTrue(segments >= 2 && segments <= 4, segments + " segments");
            assertEquals(Set.of("ort-cpu", "sparse-cpu"), Set.copyOf(c.backendByNode().values()));
        }
    }

    @Test
    void whenTransfersCostMoreThanAnyGainTheModelStaysOnOneBackend() throws Exception {
        Placement p = new GreedyEarliestFinishPolicy().place(
                new SchedulingContext(face, Views.real(face, ort, sparse), Map.of(), convOnSparse(1000)));
        assertEquals(1, Set.copyOf(p.backendByNode().values()).size(), "one backend: " + Set.copyOf(p.backendByNode().values()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "shared:models/blazeface_back_256x256.onnx, ''",
            "ppocr:ch_PP-OCRv3_det_infer.onnx, x=1x3x320x320",
            "ppocr:ch_PP-OCRv3_rec_infer.onnx, x=1x3x48x320",
    })
    void withMeasuredCostsThePlanIsValidAndMatchesOnnxRuntime(String source, String shape) throws Exception {
        Path file = source.startsWith("ppocr:") ? TestModels.ppocr(source.substring(6))
                : TestModels.shared(source.substring(7));
        Model m = platform.models().load(null, file);
        Map<String, long[]> shapes = shape.isEmpty() ? Map.of()
                : Map.of(shape.split("=")[0], Shapes.parse(shape.split("=")[1]));
        Map<String, Tensor> in = RandomInputs.forModel(m, shapes, 42);
        InferenceResult r = platform.inference().infer(m.id(), in, RunOptions.withPolicy("greedy", Map.of()));
        assertNull(r.plan().fallbackReason(), "greedy answered a valid placement");
        assertEquals("greedy", r.plan().policy());

        // with the costs the engine measured, greedy's plan is no dearer than any plan its search starts from
        platform.inference().infer(m.id(), in, RunOptions.withPolicy("greedy-recorded", Map.of()));
        SchedulingContext context = recording.lastContext();
        Map<String, String> plan = recording.lastPlacement().backendByNode();
        double planMillis = PlanCost.millis(m.graph(), plan, context.costs());
        double cheapestPerOperator = PlanCost.millis(m.graph(),
                PlanSearch.cheapestPerOperator(m.graph(), context.backends(), context.costs()), context.costs());
        assertTrue(planMillis <= cheapestPerOperator + 1e-9, planMillis + " > every operator on its cheapest backend "
                + cheapestPerOperator);
        int wholeModelBackends = 0;
        for (BackendView b : context.backends()) {
            Map<String, String> allOn = PlanSearch.allOn(m.graph(), b);
            if (allOn != null) {
                wholeModelBackends++;
                double single = PlanCost.millis(m.graph(), allOn, context.costs());
                assertTrue(planMillis <= single + 1e-9, planMillis + " > all on " + b.id() + " " + single);
            }
        }
        assertTrue(wholeModelBackends >= 1, "ort-cpu runs every model whole");
        System.out.printf("greedy on %s: %d segment(s) on %s, estimated %.3f ms (cheapest per operator %.3f ms)%n",
                m.id(), r.plan().segments().size(), backends(r), planMillis, cheapestPerOperator);
        // operators sparse-cpu cannot run (rec's transformer) are all on ort-cpu
        for (SegmentPlan s : r.plan().segments()) {
            if (s.backendId().equals("sparse-cpu")) {
                for (String node : s.nodeNames()) {
                    assertTrue(sparse.supports(m.graph().node(node).orElseThrow(), m.graph()), node);
                }
            }
        }
        assertMatchesOnnxRuntime(file, in, r);
    }

    private static Set<String> backends(InferenceResult r) {
        return r.plan().segments().stream().map(SegmentPlan::backendId).collect(Collectors.toSet());
    }

    private static void assertMatchesOnnxRuntime(Path file, Map<String, Tensor> in, InferenceResult r) throws Exception {
        TestModels.assertMatchesOnnxRuntime(TestModels.ortReference(file, in), r.outputs(),
                backends(r).contains("sparse-cpu"));
    }
}
