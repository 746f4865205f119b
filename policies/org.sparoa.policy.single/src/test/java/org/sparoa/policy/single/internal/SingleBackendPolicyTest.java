package org.sparoa.policy.single.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.Model;
import org.sparoa.api.RunOptions;
import org.sparoa.api.SegmentPlan;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.backend.sparse.internal.SparseCpuBackend;
import org.sparoa.engine.LocalPlatform;
import org.sparoa.api.RandomInputs;

/** {@code single} on real models: one segment on the named backend, outputs equal to plain ONNX Runtime. */
class SingleBackendPolicyTest {
    private static final Path BLAZEFACE = TestModels.shared("models/blazeface_back_256x256.onnx");
    /** The ONNX suite's GELU (tanh form) written out as operators: sparse-cpu lacks Tanh. */
    private static final Path GELU = TestModels.shared("onnx-backend-tests/node/test_gelu_tanh_1_expanded/model.onnx");
    private static OrtCpuBackend ort;
    private static SparseCpuBackend sparse;
    private static LocalPlatform platform;
    private static Map<String, Tensor> faceInputs;

    @BeforeAll
    static void start() {
        ort = new OrtCpuBackend("ort-cpu", 2, 1);
        sparse = new SparseCpuBackend(2, 0.5);
        platform = LocalPlatform.of(ort, sparse);
        platform.addPolicy(new SingleBackendPolicy("ort-cpu"));
        Model face = platform.models().load("face", BLAZEFACE);
        faceInputs = RandomInputs.forModel(face, Map.of(), 11);
        platform.models().load("gelu", GELU);
    }

    @AfterAll
    static void stop() {
        platform.close();
        sparse.close();
        ort.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ort-cpu", "sparse-cpu"})
    void everyOperatorRunsOnTheNamedBackendAndMatchesOnnxRuntime(String backend) throws Exception {
        InferenceResult r = platform.inference().infer("face", faceInputs,
                RunOptions.withPolicy("single", Map.of("backend", backend)));
        assertNull(r.plan().fallbackReason());
        assertEquals("single", r.plan().policy());
        assertEquals(1, r.plan().segments().size(), "one segment");
        assertEquals(backend, r.plan().segments().get(0).backendId());
        assertEquals(platform.models().require("face").operatorCount(), r.plan().segments().get(0).nodeNames().size());
        TestModels.assertMatchesOnnxRuntime(TestModels.ortReference(BLAZEFACE, faceInputs), r.outputs(),
                backend.equals("sparse-cpu"));
    }

    @Test
    void withoutTheOptionTheConfiguredBackendIsUsed() {
        InferenceResult r = platform.inference().infer("face", faceInputs, RunOptions.withPolicy("single", Map.of()));
        assertNull(r.plan().fallbackReason());
        assertEquals(Set.of("ort-cpu"), backends(r));
    }

    @Test
    void anAbsentBackendIsAClearErrorAndTheEngineFallsBack() {
        InferenceResult r = platform.inference().infer("face", faceInputs,
                RunOptions.withPolicy("single", Map.of("backend", "cuda-0")));
        assertEquals("first-capable", r.plan().policy());
        String reason = r.plan().fallbackReason();
        assertNotNull(reason);
        assertTrue(reason.contains("'cuda-0' is not live") && reason.contains("ort-cpu") && reason.contains("sparse-cpu"),
                reason);
    }

    @Test
    void aBackendThatCannotRunSomeOperatorIsNamedWithTheOperatorTypes() {
        Model gelu = platform.models().require("gelu");
        Set<String> unsupported = gelu.graph().nodes().stream().filter(n -> !sparse.supports(n, gelu.graph()))
                .map(n -> n.opType()).collect(Collectors.toSet());
        assertTrue(unsupported.contains("Tanh"), "sparse-cpu lacks Tanh: " + unsupported);
        Map<String, Tensor> in = RandomInputs.forModel(gelu, Map.of(), 3);
        InferenceResult r = platform.inference().infer("gelu", in,
                RunOptions.withPolicy("single", Map.of("backend", "sparse-cpu")));
        assertEquals("first-capable", r.plan().policy());
        String reason = r.plan().fallbackReason();
        assertTrue(reason.contains("sparse-cpu cannot run"), reason);
        for (String op : unsupported) {
            assertTrue(reason.contains(op), "names " + op + ": " + reason);
        }
    }

    private static Set<String> backends(InferenceResult r) {
        return r.plan().segments().stream().map(SegmentPlan::backendId).collect(Collectors.toSet());
    }
}
