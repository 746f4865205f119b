package org.sparoa.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.sparoa.api.BackendView;
import org.sparoa.api.CompiledSegment;
import org.sparoa.api.DeviceState;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Placement;
import org.sparoa.api.RandomInputs;
import org.sparoa.api.RunOptions;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SchedulingPolicy;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.internal.OrtCpuBackend;

/**
 * A policy that reads the backends' live state gets its plans cached per load class: the first request after a
 * backend's queue fills is planned anew (with the state it sees), and the plan of a class seen before is reused.
 */
class LiveStatePlanningTest {

    private static final Path CLS = TestModels.ppocr("ch_ppocr_mobile_v2.0_cls_infer.onnx");
    private static final long[] SHAPE = {1, 3, 48, 192};

    /** A real ORT backend whose reported queue depth the test sets (as another application's load would). */
    private static final class LoadedBackend extends DelegatingBackend {
        volatile int queueDepth;

        LoadedBackend(OrtCpuBackend delegate) {
            super(delegate);
        }

        @Override
        public DeviceState state() {
            DeviceState s = delegate.state();
            return new DeviceState(s.available(), 0, queueDepth, s.freeMemoryBytes(), Double.NaN, Double.NaN,
                    "test", Double.NaN);
        }

        @Override
        public CompiledSegment compile(Segment segment) {
            return new WrappedSegment(segment) {
                @Override
                public CompletableFuture<Map<String, Tensor>> execute(Map<String, Tensor> inputs) {
                    return inner.execute(inputs);
                }
            };
        }
    }

    /** Everything on the backend with the shorter queue; keeps the queue depths it saw. */
    private static final class ShortestQueuePolicy implements SchedulingPolicy {
        final List<Map<String, Integer>> seen = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "shortest-queue";
        }

        @Override
        public Placement place(SchedulingContext context) {
            Map<String, Integer> depths = new HashMap<>();
            BackendView best = null;
            for (BackendView b : context.backends()) {
                depths.put(b.id(), b.state().queueDepth());
                if (best == null || b.state().queueDepth() < best.state().queueDepth()) {
                    best = b;
                }
            }
            seen.add(depths);
            Map<String, String> p = new HashMap<>();
            for (Node n : context.model().graph().nodes()) {
                p.put(n.name(), best.id());
            }
            return new Placement(p);
        }

        @Override
        public List<String> explain(SchedulingContext context) {
            return context.backends().stream().map(b -> b.id() + " queue " + b.state().queueDepth()).toList();
        }
    }

    @Test
    void aChangeOfLoadClassReplansAndAClassSeenBeforeReusesItsPlan() {
        try (OrtCpuBackend a = new OrtCpuBackend("ort-cpu", 1, 1); OrtCpuBackend b = new OrtCpuBackend("ort-cpu-b", 1, 1);
             LocalPlatform p = LocalPlatform.withoutMeasuredPlans(new LoadedBackend(a), new LoadedBackend(b))) {
            ShortestQueuePolicy policy = new ShortestQueuePolicy();
            p.addPolicy(policy, Map.of(SchedulingPolicy.PROP_LIVE_STATE, true));
            Model m = p.models().load("cls", CLS);
            Map<String, Tensor> in = RandomInputs.forModel(m, Map.of("x", SHAPE), 3);
            LoadedBackend first = loaded(p, "ort-cpu");

            InferenceResult quiet = p.inference().infer("cls", in, RunOptions.withPolicy("shortest-queue", Map.of()));
            assertEquals("ort-cpu", quiet.plan().segments().get(0).backendId(), "ties go to the first-ranked");
            p.inference().infer("cls", in, RunOptions.withPolicy("shortest-queue", Map.of()));
            assertEquals(1, policy.seen.size(), "same classes: the cached plan");

            first.queueDepth = 1; // one or two requests: a class of its own
            InferenceResult loaded = p.inference().infer("cls", in, RunOptions.withPolicy("shortest-queue", Map.of()));
            assertEquals(2, policy.seen.size(), "the queue's class changed: planned anew");
            assertEquals(1, policy.seen.get(1).get("ort-cpu"), "with the state the backend reports now");
            assertEquals("ort-cpu-b", loaded.plan().segments().get(0).backendId(), "moved off the loaded backend");

            first.queueDepth = 2; // same class as 1: jitter inside a class keeps the plan
            p.inference().infer("cls", in, RunOptions.withPolicy("shortest-queue", Map.of()));
            assertEquals(2, policy.seen.size());

            first.queueDepth = 0; // back to the first class: its plan is still cached
            InferenceResult back = p.inference().infer("cls", in, RunOptions.withPolicy("shortest-queue", Map.of()));
            assertEquals(2, policy.seen.size(), "a class seen before reuses its plan");
            assertEquals("ort-cpu", back.plan().segments().get(0).backendId());
        }
    }

    @Test
    void aPolicyThatDoesNotReadStateKeepsItsPlanWhateverTheLoad() {
        try (OrtCpuBackend a = new OrtCpuBackend("ort-cpu", 1, 1); OrtCpuBackend b = new OrtCpuBackend("ort-cpu-b", 1, 1);
             LocalPlatform p = LocalPlatform.withoutMeasuredPlans(new LoadedBackend(a), new LoadedBackend(b))) {
            ShortestQueuePolicy policy = new ShortestQueuePolicy();
            p.addPolicy(policy);
            Model m = p.models().load("cls", CLS);
            Map<String, Tensor> in = RandomInputs.forModel(m, Map.of("x", SHAPE), 3);
            p.inference().infer("cls", in, RunOptions.withPolicy("shortest-queue", Map.of()));
            loaded(p, "ort-cpu").queueDepth = 5;
            InferenceResult r = p.inference().infer("cls", in, RunOptions.withPolicy("shortest-queue", Map.of()));
            assertEquals(1, policy.seen.size(), "no live-state property: one plan");
            assertTrue(r.plan().segments().stream().allMatch(s -> s.backendId().equals("ort-cpu")));
        }
    }

    @Test
    void aPlanCarriesThePolicysExplanationOnlyWhenTheRequestAsksForIt() {
        try (OrtCpuBackend a = new OrtCpuBackend("ort-cpu", 1, 1); OrtCpuBackend b = new OrtCpuBackend("ort-cpu-b", 1, 1);
             LocalPlatform p = LocalPlatform.withoutMeasuredPlans(new LoadedBackend(a), new LoadedBackend(b))) {
            p.addPolicy(new ShortestQueuePolicy(), Map.of(SchedulingPolicy.PROP_LIVE_STATE, true));
            Model m = p.models().load("cls", CLS);
            Map<String, Tensor> in = RandomInputs.forModel(m, Map.of("x", SHAPE), 3);
            loaded(p, "ort-cpu").queueDepth = 4;
            InferenceResult plain = p.inference().infer("cls", in, RunOptions.withPolicy("shortest-queue", Map.of()));
            assertTrue(plain.plan().explanation().isEmpty(), "not asked: no explanation");
            InferenceResult explained = p.inference().infer("cls", in, RunOptions.withPolicy("shortest-queue",
                    Map.of(org.sparoa.api.PlanDescription.EXPLAIN, "true")));
            assertEquals(List.of("ort-cpu queue 4", "ort-cpu-b queue 0"), explained.plan().explanation());
        }
    }

    private static LoadedBackend loaded(LocalPlatform p, String id) {
        return (LoadedBackend) p.backends().stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
    }
}
