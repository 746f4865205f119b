package org.sparoa.policy.example.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.jar.Manifest;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.Model;
import org.sparoa.api.RunOptions;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.backend.sparse.internal.SparseCpuBackend;
import org.sparoa.engine.LocalPlatform;
import org.sparoa.api.RandomInputs;

/** The template policy works on a real model, and its bundle needs nothing but the SparOA API. */
class ExamplePolicyTest {
    private static final Path BLAZEFACE = TestModels.shared("models/blazeface_front_128x128.onnx");
    private static OrtCpuBackend ort;
    private static SparseCpuBackend sparse;
    private static LocalPlatform platform;
    private static Map<String, Tensor> inputs;

    @BeforeAll
    static void start() {
        ort = new OrtCpuBackend("ort-cpu", 2, 1);
        sparse = new SparseCpuBackend(2, 0.5);
        platform = LocalPlatform.of(ort, sparse);
        platform.addPolicy(new ExamplePolicy());
        Model m = platform.models().load("face", BLAZEFACE);
        inputs = RandomInputs.forModel(m, Map.of(), 5);
    }

    @AfterAll
    static void stop() {
        platform.close();
        sparse.close();
        ort.close();
    }

    @ParameterizedTest(name = "options {0}")
    @CsvSource({"'', ort-cpu", "prefer=sparse-cpu, sparse-cpu"})
    void placesEveryOperatorAndMatchesOnnxRuntime(String option, String expectedBackend) throws Exception {
        Map<String, String> options = option.isEmpty() ? Map.of() : Map.of(option.split("=")[0], option.split("=")[1]);
        InferenceResult r = platform.inference().infer("face", inputs, RunOptions.withPolicy("example", options));
        assertNull(r.plan().fallbackReason());
        assertEquals("example", r.plan().policy());
        // no costs measured: the best-ranked capable backend (ties by id: ort-cpu), unless one is preferred
        assertEquals(1, r.plan().segments().size());
        assertEquals(expectedBackend, r.plan().segments().get(0).backendId());
        TestModels.assertMatchesOnnxRuntime(TestModels.ortReference(BLAZEFACE, inputs), r.outputs(),
                expectedBackend.equals("sparse-cpu"));
    }

    @Test
    void theBundleImportsOnlyTheSparoaApi() throws Exception {
        Path mf = Path.of("target", "classes", "META-INF", "MANIFEST.MF");
        assertTrue(Files.exists(mf), "bnd writes the manifest before the tests run: " + mf.toAbsolutePath());
        Manifest manifest;
        try (InputStream in = Files.newInputStream(mf)) {
            manifest = new Manifest(in);
        }
        String imports = manifest.getMainAttributes().getValue("Import-Package");
        List<String> packages = Arrays.stream(imports.split(",(?=[a-z])")).map(p -> p.split(";")[0].trim()).toList();
        assertEquals(List.of("org.sparoa.api"), packages, imports);
        assertTrue(manifest.getMainAttributes().getValue("Service-Component").contains("ExamplePolicy"));
        assertEquals(null, manifest.getMainAttributes().getValue("Export-Package"), "a policy exports nothing");
    }
}
