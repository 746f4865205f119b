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
    private static final Path REC = TestModels.ppocr("ch_PP-OCRv3_rec_infer.onnx");
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
        platform.models().load("rec", REC);
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
        Model rec = platform.models().require("rec");
        Set<String> unsupported = rec.graph().nodes().stream().filter(n -> !sparse.supports(n, rec.graph()))
                .map(n -> n.opType()).collect(Collectors.toSet());
        assertTrue(!unsupported.isEmpty(), "PP-OCRv3 rec has operators sparse-cpu lacks (its transformer part)");
        Map<String, Tensor> in = RandomInputs.forModel(rec, Map.of("x", new long[] {1, 3, 48, 320}), 3);
        InferenceResult r = platform.inference().infer("rec", in,
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
