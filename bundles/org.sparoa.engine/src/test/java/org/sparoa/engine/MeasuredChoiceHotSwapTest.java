package org.sparoa.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.sparoa.api.RandomInputs;
import org.sparoa.api.BackendException;
import org.sparoa.api.CompiledSegment;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Placement;
import org.sparoa.api.RunOptions;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SchedulingPolicy;
import org.sparoa.api.Segment;
import org.sparoa.api.SegmentPlan;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.internal.OrtCpuBackend;

/**
 * A backend that leaves while a measured policy's plan is being timed (issue 11: "backend sparse-cpu is shut down",
 * 7 of 7 tries) gets the request re-planned on what remains, as the engine promises for any request.
 */
class MeasuredChoiceHotSwapTest {
    @Test
    void aBackendLeavingDuringTheMeasuredChoiceFailsNoRequest() throws Exception {
        try (OrtCpuBackend ort = new OrtCpuBackend("ort-cpu", 1, 1);
             OrtCpuBackend ortForLeaving = new OrtCpuBackend("leaving", 1, 1)) {
            for (int trial = 0; trial < 4; trial++) {
                int leaveAtRun = 1 + 2 * (trial % 2);
                // half the trials: the departed backend's segments keep working (a stopped bundle whose objects still
                // run), so nothing fails and only the engine can tell that the plan holds a backend that left
                LeavingBackend leaving = new LeavingBackend(ortForLeaving, leaveAtRun, trial < 2);
                try (LocalPlatform p = LocalPlatform.of(ort, leaving)) {
                    leaving.platform = p;
                    p.addPolicy(new HalvesPolicy("greedy", "ort-cpu", "leaving"),
                            Map.of(SchedulingPolicy.PROP_MEASURED_CHOICE, true));
                    Model m = p.models().load(null, TestModels.ppocr("ch_ppocr_mobile_v2.0_cls_infer.onnx"));
                    Map<String, Tensor> in = RandomInputs.forModel(m, Map.of("x", new long[] {1, 3, 48, 192}), 3);
                    InferenceResult r = p.inference().infer(m.id(), in, RunOptions.withPolicy("greedy", Map.of()));
                    assertTrue(leaving.left, "the backend left during the measurement (run " + leaveAtRun + ")");
                    assertFalse(r.plan().segments().stream().map(SegmentPlan::backendId).anyMatch("leaving"::equals),
                            r.plan().toString());
                    Map<String, Tensor> reference = OrtReference.run(TestModels.ppocr(
                            "ch_ppocr_mobile_v2.0_cls_infer.onnx"), in);
                    for (Map.Entry<String, Tensor> e : reference.entrySet()) {
                        assertTrue(OrtReference.maxAbsDiff(e.getValue(), r.outputs().get(e.getKey())) <= 1e-5);
                    }
                    assertEquals(1, p.backends().size());
                    InferenceResult next = p.inference().infer(m.id(), in, RunOptions.withPolicy("greedy", Map.of()));
                    assertFalse(next.plan().segments().stream().map(SegmentPlan::backendId).anyMatch("leaving"::equals),
                            "the cache holds no plan on the departed backend: " + next.plan());
                }
            }
        }
    }

    /** ONNX Runtime that, on its {@code leaveAtRun}-th segment run, leaves the platform and fails from then on. */
    static final class LeavingBackend extends DelegatingBackend {
        private final int leaveAtRun;
        private final boolean failsOnceLeft;
        private final AtomicInteger runs = new AtomicInteger();
        volatile LocalPlatform platform;
        volatile boolean left;

        LeavingBackend(DeviceBackend delegate, int leaveAtRun, boolean failsOnceLeft) {
            super(delegate);
            this.leaveAtRun = leaveAtRun;
            this.failsOnceLeft = failsOnceLeft;
        }

        @Override
        public CompiledSegment compile(Segment segment) {
            if (left && failsOnceLeft) {
                throw new BackendException(id() + " is shut down");
            }
            return new WrappedSegment(segment) {
                @Override
                public Map<String, Tensor> run(Map<String, Tensor> in) {
                    if (!left && runs.incrementAndGet() >= leaveAtRun) {
                        left = true;
                        platform.removeBackend(LeavingBackend.this);
                    }
                    if (left && failsOnceLeft) {
                        throw new BackendException(id() + " is shut down");
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
}
