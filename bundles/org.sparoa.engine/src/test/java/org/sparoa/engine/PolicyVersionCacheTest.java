package org.sparoa.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sparoa.api.RandomInputs;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Placement;
import org.sparoa.api.RunOptions;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SchedulingPolicy;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.internal.OrtCpuBackend;

/**
 * Schedules are cached per (model, backend set, policy, policy version): the same policy service answering under a
 * new version is asked again; anything else about it changing leaves the cached schedule in place.
 */
class PolicyVersionCacheTest {
    private final AtomicInteger decisions = new AtomicInteger();
    private final SchedulingPolicy counting = new SchedulingPolicy() {
        @Override
        public String name() {
            return "counting";
        }

        @Override
        public Placement place(SchedulingContext c) {
            decisions.incrementAndGet();
            Map<String, String> p = new HashMap<>();
            for (Node n : c.model().graph().nodes()) {
                p.put(n.name(), c.backends().get(0).id());
            }
            return new Placement(p);
        }
    };
    private OrtCpuBackend ort;
    private LocalPlatform platform;
    private Map<String, Tensor> inputs;

    @BeforeEach
    void start() {
        ort = new OrtCpuBackend("ort-cpu", 1, 1);
        platform = LocalPlatform.of(ort);
        Model m = platform.models().load("cls", TestModels.ppocr("ch_ppocr_mobile_v2.0_cls_infer.onnx"));
        inputs = RandomInputs.forModel(m, Map.of("x", new long[] {1, 3, 48, 192}), 5);
    }

    @AfterEach
    void stop() {
        platform.close();
        ort.close();
    }

    private void run() {
        assertNull(platform.inference().infer("cls", inputs, RunOptions.withPolicy("counting", Map.of()))
                .plan().fallbackReason());
    }

    @Test
    void moreSchedulesThanTheCacheHoldsEvictTheLeastRecentlyUsed() {
        platform.addPolicy(counting);
        int capacity = 32; // LocalPlatform's plan cache
        for (int i = 0; i <= capacity; i++) {
            assertNull(platform.inference().infer("cls", inputs,
                    RunOptions.withPolicy("counting", Map.of("n", Integer.toString(i)))).plan().fallbackReason());
        }
        assertEquals(capacity + 1, decisions.get());
        platform.inference().infer("cls", inputs, RunOptions.withPolicy("counting", Map.of("n", Integer.toString(capacity))));
        assertEquals(capacity + 1, decisions.get(), "the newest schedule is still cached");
        platform.inference().infer("cls", inputs, RunOptions.withPolicy("counting", Map.of("n", "0")));
        assertEquals(capacity + 2, decisions.get(), "the oldest was evicted and is scheduled again");
    }

    @Test
    void aNewPolicyVersionInvalidatesTheCachedScheduleAndOtherPropertiesDoNot() {
        platform.addPolicy(counting, Map.of(SchedulingPolicy.PROP_VERSION, "1"));
        run();
        run();
        assertEquals(1, decisions.get(), "scheduled once, then cached");

        platform.updatePolicy(counting, Map.of(SchedulingPolicy.PROP_VERSION, "2"));
        run();
        run();
        assertEquals(2, decisions.get(), "version 2 is scheduled anew, once");

        platform.updatePolicy(counting, Map.of(SchedulingPolicy.PROP_VERSION, "2", "unrelated", "x"));
        run();
        assertEquals(2, decisions.get(), "same version: the cached schedule stays");

        platform.removePolicy(counting);
        platform.addPolicy(counting, Map.of(SchedulingPolicy.PROP_VERSION, "2"));
        run();
        assertEquals(3, decisions.get(), "a re-registered policy (new service) is scheduled anew");
    }
}
