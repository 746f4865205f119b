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
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparoa.api.RandomInputs;
import org.sparoa.api.CompiledSegment;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Placement;
import org.sparoa.api.PlanDescription;
import org.sparoa.api.RunOptions;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SchedulingPolicy;
import org.sparoa.api.Segment;
import org.sparoa.api.SegmentPlan;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.internal.OrtCpuBackend;

/**
 * Plans of policies that ask for it (service property sparoa.policy.measured) are timed against the whole model on each single
 * backend before they are cached; the fastest is kept, credited to the policy, with the measurement as the reason.
 * The slow device here is real work: a backend that runs every segment eight times over.
 */
class MeasuredPlanChoiceTest {
    /** The service property by which a policy asks for its plans to be measured. */
    private static final Map<String, Object> MEASURED = Map.of(SchedulingPolicy.PROP_MEASURED_CHOICE, true);
    private static OrtCpuBackend ort;
    private static OrtCpuBackend ortForSlow;
    private static LocalPlatform platform;
    private static Model model;
    private static Map<String, Tensor> inputs;
    private static Path file;

    @BeforeAll
    static void start() {
        ort = new OrtCpuBackend("ort-cpu", 1, 1);
        ortForSlow = new OrtCpuBackend("slow", 1, 1);
        platform = LocalPlatform.of(ort, new RepeatingBackend(ortForSlow, 8));
        // stand-ins under the names the engine measures, and one it does not
        platform.addPolicy(new HalvesPolicy("greedy", "ort-cpu", "slow"), MEASURED);
        platform.addPolicy(new HalvesPolicy("threshold", "ort-cpu", "ort-cpu"), MEASURED);
        platform.addPolicy(new HalvesPolicy("halves", "ort-cpu", "slow"));
        file = TestModels.ppocr("ch_ppocr_mobile_v2.0_cls_infer.onnx");
        model = platform.models().load(null, file);
        inputs = RandomInputs.forModel(model, Map.of("x", new long[] {1, 3, 48, 192}), 5);
    }

    @AfterAll
    static void stop() {
        platform.close();
        ort.close();
        ortForSlow.close();
    }

    @Test
    void aSplitMeasuredSlowerThanOneBackendIsReplacedAndCreditedToThePolicy() throws Exception {
        PlanDescription unmeasured = platform.inference().plan(model.id(), RunOptions.withPolicy("greedy", Map.of()));
        assertEquals(Set.of("ort-cpu", "slow"), backends(unmeasured), "a plan() query has no inputs to measure on");

        InferenceResult r = platform.inference().infer(model.id(), inputs, RunOptions.withPolicy("greedy", Map.of()));
        assertEquals("greedy", r.plan().policy());
        assertEquals(Set.of("ort-cpu"), backends(r.plan()), "the whole model on the fast backend");
        assertEquals(1, r.plan().segments().size());
        assertTrue(r.plan().fallbackReason().contains("measured faster") && r.plan().fallbackReason().contains("slow"),
                r.plan().fallbackReason());
        assertOutputsMatchOrt(r);

        // the measured plan is what later requests get, and the plan() query did not replace it
        InferenceResult again = platform.inference().infer(model.id(), inputs,
                RunOptions.withPolicy("greedy", Map.of()));
        assertEquals(Set.of("ort-cpu"), backends(again.plan()));
        assertEquals(Set.of("ort-cpu", "slow"),
                backends(platform.inference().plan(model.id(), RunOptions.withPolicy("greedy", Map.of()))));
    }

    @Test
    void thePolicysPlanStaysWhenNoSingleBackendBeatsIt() throws Exception {
        InferenceResult r = platform.inference().infer(model.id(), inputs,
                RunOptions.withPolicy("threshold", Map.of()));
        assertEquals("threshold", r.plan().policy());
        assertEquals(Set.of("ort-cpu"), backends(r.plan()));
        assertNull(r.plan().fallbackReason(), "ort-cpu alone is what the policy chose; the slow backend lost");
        assertOutputsMatchOrt(r);
    }

    @Test
    void policiesOutsideTheMeasuredListKeepTheirPlan() throws Exception {
        InferenceResult r = platform.inference().infer(model.id(), inputs, RunOptions.withPolicy("halves", Map.of()));
        assertEquals(Set.of("ort-cpu", "slow"), backends(r.plan()));
        assertNull(r.plan().fallbackReason());
        assertOutputsMatchOrt(r);
    }

    @Test
    void anAlternativeThatFailsWhileTimedIsNeverChosenHoweverQuicklyItFails() throws Exception {
        try (OrtCpuBackend flakyOrt = new OrtCpuBackend("flaky", 1, 1);
             LocalPlatform withFlaky = LocalPlatform.of(ort, new FailingAfterFirstRunBackend(flakyOrt))) {
            withFlaky.addPolicy(new HalvesPolicy("greedy", "ort-cpu", "ort-cpu"), MEASURED);
            Model m = withFlaky.models().load(null, file);
            InferenceResult r = withFlaky.inference().infer(m.id(), inputs, RunOptions.withPolicy("greedy", Map.of()));
            assertEquals(Set.of("ort-cpu"), backends(r.plan()));
            assertNull(r.plan().fallbackReason(), "the failing backend's quick failures are not timings");
            assertOutputsMatchOrt(r);
        }
    }

    @Test
    void aBackendThatWasSlowOnlyUntilWarmWinsWhenThePlanIsMeasuredAgain() throws Exception {
        // "warming" runs each segment 8 times over for its first 400 runs (a JIT-compiled backend before C2), then
        // once; the policy's plan runs everything 3 times over on "steady". 400: the first measurement's visits
        // settle for 40 ms each, longer while the JIT compiles (up to 1 s in all), so it may take a few hundred runs
        // (with 40 cold runs the warming backend sometimes turned fast within the first measurement's rounds)
        try (OrtCpuBackend steadyOrt = new OrtCpuBackend("steady", 1, 1);
             OrtCpuBackend warmingOrt = new OrtCpuBackend("warming", 1, 1);
             LocalPlatform p = LocalPlatform.remeasuringAfter(5, new RepeatingBackend(steadyOrt, 3),
                     new RepeatingBackend(warmingOrt, 8, 400))) {
            p.addPolicy(new HalvesPolicy("greedy", "steady", "steady"), MEASURED);
            Model m = p.models().load(null, file);
            RunOptions greedy = RunOptions.withPolicy("greedy", Map.of());
            InferenceResult first = p.inference().infer(m.id(), inputs, greedy);
            assertEquals(Set.of("steady"), backends(first.plan()), "cold, the warming backend measured slower");
            for (int i = 0; i < 400; i++) {
                p.inference().infer(m.id(), inputs, RunOptions.onBackend("warming")); // not requests of greedy's plan
            }
            for (int i = 0; i < 4; i++) {
                assertEquals(Set.of("steady"), backends(p.inference().infer(m.id(), inputs, greedy).plan()));
            }
            InferenceResult sixth = p.inference().infer(m.id(), inputs, greedy);
            assertEquals(Set.of("warming"), backends(sixth.plan()), "measured again, warm: " + sixth.plan());
            assertEquals("greedy", sixth.plan().policy());
            assertTrue(sixth.plan().fallbackReason().contains("measured faster"), sixth.plan().fallbackReason());
            assertOutputsMatchOrt(sixth);
            assertEquals(Set.of("warming"), backends(p.inference().infer(m.id(), inputs, greedy).plan()));
        }
    }

    /**
     * The first request's calibration timed a backend while it was slow (as the JIT leaves Java kernels for their
     * first runs); when the plan is measured again, warm, the policy is asked again with costs calibrated anew, not
     * with the slow backend's first timing.
     */
    @Test
    void theSecondMeasurementPlansFromCostsCalibratedAgain() throws Exception {
        try (OrtCpuBackend steadyOrt = new OrtCpuBackend("steady", 1, 1);
             OrtCpuBackend warmingOrt = new OrtCpuBackend("warming", 1, 1)) {
            RepeatingBackend warming = new RepeatingBackend(warmingOrt, 6);
            List<Double> warmingEstimates = new java.util.concurrent.CopyOnWriteArrayList<>();
            SchedulingPolicy recorder = new SchedulingPolicy() {
                @Override
                public String name() {
                    return "recorder";
                }

                @Override
                public Placement place(SchedulingContext context) {
                    double sum = 0;
                    Map<String, String> all = new HashMap<>();
                    for (Node n : context.model().graph().nodes()) {
                        sum += context.costs().operatorMillis("warming", n).orElse(Double.NaN);
                        all.put(n.name(), "steady");
                    }
                    warmingEstimates.add(sum);
                    return new Placement(all);
                }
            };
            try (LocalPlatform p = LocalPlatform.remeasuringAfter(5, steadyOrt, warming)) {
                p.addPolicy(recorder, Map.of(SchedulingPolicy.PROP_MEASURED_CHOICE, true,
                        SchedulingPolicy.PROP_NEEDS_COSTS, true));
                Model m = p.models().load(null, file);
                RunOptions options = RunOptions.withPolicy("recorder", Map.of());
                p.inference().infer(m.id(), inputs, options);
                assertEquals(1, warmingEstimates.size());
                warming.warm(); // the slow backend reaches its steady speed
                for (int i = 0; i < 5; i++) {
                    p.inference().infer(m.id(), inputs, options);
                }
                assertEquals(2, warmingEstimates.size(), "asked again at the second measurement");
                assertTrue(warmingEstimates.get(1) < 0.5 * warmingEstimates.get(0),
                        "the whole model on the warm backend is priced anew: " + warmingEstimates);
            }
        }
    }

    private static Set<String> backends(PlanDescription plan) {
        return plan.segments().stream().map(SegmentPlan::backendId).collect(Collectors.toSet());
    }

    private static void assertOutputsMatchOrt(InferenceResult r) throws Exception {
        Map<String, Tensor> reference = OrtReference.run(file, inputs);
        for (Map.Entry<String, Tensor> e : reference.entrySet()) {
            double diff = OrtReference.maxAbsDiff(e.getValue(), r.outputs().get(e.getKey()));
            assertTrue(diff <= 1e-5, e.getKey() + " differs by " + diff);
        }
    }

    /** First half of the operators on one backend, the rest on another. */
    private record HalvesPolicy(String name, String first, String second) implements SchedulingPolicy {
        @Override
        public Placement place(SchedulingContext context) {
            List<Node> nodes = context.model().graph().nodes();
            Map<String, String> placement = new HashMap<>();
            for (int i = 0; i < nodes.size(); i++) {
                placement.put(nodes.get(i).name(), i < nodes.size() / 2 ? first : second);
            }
            return new Placement(placement);
        }
    }

    /** ONNX Runtime whose segments fail on every run after their first: a device that dies while it is timed. */
    private static final class FailingAfterFirstRunBackend extends DelegatingBackend {
        FailingAfterFirstRunBackend(DeviceBackend delegate) {
            super(delegate);
        }

        @Override
        public CompiledSegment compile(Segment segment) {
            java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
            return new WrappedSegment(segment) {
                @Override
                public Map<String, Tensor> run(Map<String, Tensor> in) {
                    if (runs.incrementAndGet() > 1) {
                        throw new org.sparoa.api.BackendException(id() + " failed");
                    }
                    return inner.run(in);
                }

                @Override
                public CompletableFuture<Map<String, Tensor>> execute(Map<String, Tensor> in) {
                    return CompletableFuture.supplyAsync(() -> run(in));
                }
            };
        }
    }

    /**
     * ONNX Runtime running every segment {@code times} times over: a real, slower device. With {@code coldRuns}, only
     * during the backend's first {@code coldRuns} runs (all segments together), then once: a device that is slow
     * only until it has warmed up, as JIT-compiled kernels are.
     */
    private static final class RepeatingBackend extends DelegatingBackend {
        private final int times;
        private final int coldRuns;
        private volatile boolean warmed;
        private final java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();

        RepeatingBackend(DeviceBackend delegate, int times) {
            this(delegate, times, Integer.MAX_VALUE);
        }

        RepeatingBackend(DeviceBackend delegate, int times, int coldRuns) {
            super(delegate);
            this.times = times;
            this.coldRuns = coldRuns;
        }

        /** From now on every run is one run. */
        void warm() {
            warmed = true;
        }

        @Override
        public CompiledSegment compile(Segment segment) {
            return new WrappedSegment(segment) {
                @Override
                public Map<String, Tensor> run(Map<String, Tensor> in) {
                    int n = !warmed && runs.incrementAndGet() <= coldRuns ? times : 1;
                    Map<String, Tensor> out = null;
                    for (int i = 0; i < n; i++) {
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
