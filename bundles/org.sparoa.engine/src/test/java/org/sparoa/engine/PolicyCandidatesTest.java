package org.sparoa.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparoa.api.CompiledSegment;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Placement;
import org.sparoa.api.PlanDescription;
import org.sparoa.api.RandomInputs;
import org.sparoa.api.RunOptions;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SchedulingPolicy;
import org.sparoa.api.Segment;
import org.sparoa.api.SegmentPlan;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.internal.OrtCpuBackend;

/**
 * A measured policy offers several candidate placements ({@link SchedulingPolicy#candidates}); the engine times them
 * with the single backends on the first request's inputs and caches the fastest. The devices here do real work:
 * "front" runs segments with operators of the model's second half six times over, "back" those with operators of
 * the first half; so the first half on "front" and the second on "back" is the one fast plan, three to six times
 * faster than either backend alone or the opposite split.
 */
class PolicyCandidatesTest {
    private static final Map<String, Object> MEASURED = Map.of(SchedulingPolicy.PROP_MEASURED_CHOICE, true);
    private static OrtCpuBackend ortFront;
    private static OrtCpuBackend ortBack;
    private static Path file;
    private static Map<String, Tensor> inputs;

    @BeforeAll
    static void start() {
        ortFront = new OrtCpuBackend("front", 1, 1);
        ortBack = new OrtCpuBackend("back", 1, 1);
        file = TestModels.ppocr("ch_ppocr_mobile_v2.0_cls_infer.onnx");
    }

    @AfterAll
    static void stop() {
        ortFront.close();
        ortBack.close();
    }

    @Test
    void theFastestCandidateIsKeptCreditedToThePolicyAndCachedWithoutAskingAgain() throws Exception {
        try (LocalPlatform p = LocalPlatform.of(new HalfSlowBackend(ortFront, false), new HalfSlowBackend(ortBack, true))) {
            Model m = p.models().load(null, file);
            inputs = RandomInputs.forModel(m, Map.of("x", new long[] {1, 3, 48, 192}), 5);
            // the policy's own plan is the slow split; its second candidate the fast one
            TwoSplits policy = new TwoSplits("greedy", List.of(new String[] {"back", "front"},
                    new String[] {"front", "back"}));
            p.addPolicy(policy, MEASURED);
            RunOptions greedy = RunOptions.withPolicy("greedy", Map.of());
            InferenceResult r = p.inference().infer(m.id(), inputs, greedy);
            assertEquals(List.of("front", "back"), backendsInOrder(r.plan()), r.plan().toString());
            assertEquals("greedy", r.plan().policy());
            assertTrue(r.plan().fallbackReason().contains("greedy candidate 2")
                    && r.plan().fallbackReason().contains("measured faster"), r.plan().fallbackReason());
            assertOutputsMatchOrt(r);
            assertEquals(1, policy.candidateCalls.get());
            assertEquals(0, policy.placeCalls.get(), "a measured policy is asked for candidates, not for one plan");

            for (int i = 0; i < 3; i++) {
                InferenceResult again = p.inference().infer(m.id(), inputs, greedy);
                assertEquals(List.of("front", "back"), backendsInOrder(again.plan()));
                assertOutputsMatchOrt(again);
            }
            assertEquals(1, policy.candidateCalls.get(), "the winner is cached: the policy is not asked again");

            // a plan() query has no inputs to measure on: it gets the policy's plan, from place()
            PlanDescription query = p.inference().plan(m.id(), greedy);
            assertEquals(List.of("back", "front"), backendsInOrder(query));
            assertEquals(1, policy.placeCalls.get());
        }
    }

    @Test
    void thePolicysPlanStaysWhenItIsTheFastestAndInvalidCandidatesAreDropped() throws Exception {
        try (LocalPlatform p = LocalPlatform.of(new HalfSlowBackend(ortFront, false), new HalfSlowBackend(ortBack, true))) {
            Model m = p.models().load(null, file);
            inputs = RandomInputs.forModel(m, Map.of("x", new long[] {1, 3, 48, 192}), 5);
            TwoSplits policy = new TwoSplits("threshold", List.of(new String[] {"front", "back"},
                    new String[] {"no-such-backend", "back"}, new String[] {"back", "front"}));
            p.addPolicy(policy, MEASURED);
            InferenceResult r = p.inference().infer(m.id(), inputs, RunOptions.withPolicy("threshold", Map.of()));
            assertEquals(List.of("front", "back"), backendsInOrder(r.plan()));
            assertNull(r.plan().fallbackReason(), "the policy's own plan won: " + r.plan().fallbackReason());
            assertOutputsMatchOrt(r);
        }
    }

    private static List<String> backendsInOrder(PlanDescription plan) {
        return plan.segments().stream().map(SegmentPlan::backendId).toList();
    }

    private static void assertOutputsMatchOrt(InferenceResult r) throws Exception {
        Map<String, Tensor> reference = OrtReference.run(file, inputs);
        for (Map.Entry<String, Tensor> e : reference.entrySet()) {
            double diff = OrtReference.maxAbsDiff(e.getValue(), r.outputs().get(e.getKey()));
            assertTrue(diff <= 1e-5, e.getKey() + " differs by " + diff);
        }
    }

    /** Candidates: the first half of the operators on one backend, the rest on another, for each pair given. */
    private static final class TwoSplits implements SchedulingPolicy {
        private final String name;
        private final List<String[]> splits;
        final AtomicInteger placeCalls = new AtomicInteger();
        final AtomicInteger candidateCalls = new AtomicInteger();

        TwoSplits(String name, List<String[]> splits) {
            this.name = name;
            this.splits = splits;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Placement place(SchedulingContext context) {
            placeCalls.incrementAndGet();
            return split(context, splits.get(0));
        }

        @Override
        public List<Placement> candidates(SchedulingContext context) {
            candidateCalls.incrementAndGet();
            return splits.stream().map(s -> split(context, s)).toList();
        }

        private static Placement split(SchedulingContext context, String[] halves) {
            List<Node> nodes = context.model().graph().nodes();
            Map<String, String> placement = new HashMap<>();
            for (int i = 0; i < nodes.size(); i++) {
                placement.put(nodes.get(i).name(), i < nodes.size() / 2 ? halves[0] : halves[1]);
            }
            return new Placement(placement);
        }
    }

    /**
     * ONNX Runtime that runs a segment six times over when it holds an operator of the half of the model it is slow
     * at: the second half ({@code slowAtFirstHalf} false) or the first.
     */
    private static final class HalfSlowBackend extends DelegatingBackend {
        private final boolean slowAtFirstHalf;

        HalfSlowBackend(DeviceBackend delegate, boolean slowAtFirstHalf) {
            super(delegate);
            this.slowAtFirstHalf = slowAtFirstHalf;
        }

        @Override
        public CompiledSegment compile(Segment segment) {
            var graph = segment.model().graph();
            int half = graph.nodes().size() / 2;
            Set<Boolean> halves = segment.nodes().stream().map(n -> graph.position(n.name()) < half)
                    .collect(Collectors.toSet());
            int times = halves.contains(slowAtFirstHalf) ? 6 : 1;
            return new WrappedSegment(segment) {
                @Override
                public Map<String, Tensor> run(Map<String, Tensor> in) {
                    Map<String, Tensor> out = null;
                    for (int i = 0; i < times; i++) {
                        out = inner.run(in);
                    }
                    return out;
                }

                @Override
                public CompletableFuture<Map<String, Tensor>> execute(Map<String, Tensor> in) {
                    return CompletableFuture.supplyAsync(() -> run(in));
                }
            };
        }
    }
}
