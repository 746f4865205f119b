package org.sparoa.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Placement;
import org.sparoa.api.RandomInputs;
import org.sparoa.api.RunOptions;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SchedulingPolicy;
import org.sparoa.api.SparoaException;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.internal.OrtCpuBackend;

/**
 * A request naming a policy that was never installed is refused, naming it; one naming a policy that is away (its
 * bundle stopped or being updated) is served by the fallback until the policy is back, then by the policy again.
 */
class AbsentPolicyTest {

    private static final Path CLS = TestModels.ppocr("ch_ppocr_mobile_v2.0_cls_infer.onnx");

    /** Everything on the last backend. */
    private static final class LastBackendPolicy implements SchedulingPolicy {
        @Override
        public String name() {
            return "last";
        }

        @Override
        public Placement place(SchedulingContext context) {
            String last = context.backends().get(context.backends().size() - 1).id();
            Map<String, String> p = new HashMap<>();
            for (Node n : context.model().graph().nodes()) {
                p.put(n.name(), last);
            }
            return new Placement(p);
        }
    }

    @Test
    void aPolicyThatIsAwayFallsBackAndANeverInstalledOneIsRefused() {
        try (OrtCpuBackend a = new OrtCpuBackend("ort-cpu", 1, 1); OrtCpuBackend b = new OrtCpuBackend("ort-cpu-b", 1, 1);
             LocalPlatform p = LocalPlatform.withoutMeasuredPlans(a, b)) {
            Model m = p.models().load("cls", CLS);
            Map<String, Tensor> in = RandomInputs.forModel(m, Map.of("x", new long[] {1, 3, 48, 192}), 3);
            SparoaException typo = assertThrows(SparoaException.class,
                    () -> p.inference().infer("cls", in, RunOptions.withPolicy("last", Map.of())));
            assertTrue(typo.getMessage().contains("unknown policy 'last'"), typo.getMessage());

            LastBackendPolicy policy = new LastBackendPolicy();
            p.addPolicy(policy);
            InferenceResult placed = p.inference().infer("cls", in, RunOptions.withPolicy("last", Map.of()));
            assertEquals("last", placed.plan().policy());
            assertNull(placed.plan().fallbackReason());

            p.removePolicy(policy);
            InferenceResult away = p.inference().infer("cls", in, RunOptions.withPolicy("last", Map.of()));
            assertEquals(SchedulingPolicy.FIRST_CAPABLE, away.plan().policy());
            assertEquals("policy 'last' is not installed", away.plan().fallbackReason());

            p.addPolicy(new LastBackendPolicy());
            InferenceResult back = p.inference().infer("cls", in, RunOptions.withPolicy("last", Map.of()));
            assertEquals("last", back.plan().policy(), "the policy back: a new service, a new plan");
            assertEquals("ort-cpu-b", back.plan().segments().get(0).backendId());
        }
    }
}
