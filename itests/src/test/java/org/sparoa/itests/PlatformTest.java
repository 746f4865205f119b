package org.sparoa.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import javax.inject.Inject;
import org.apache.karaf.features.FeaturesService;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.Tensor;
import org.sparoa.onnx.TensorProtoIO;

/**
 * The built distribution, booted once for this class: its features, services and shell commands, a backend
 * installed and stopped while the platform runs, and bad input through the shell.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PlatformTest {
    @Rule
    public final HangGuard hangGuard = HangGuard.minutes(10);


    private static final String CLASSIFIER = "ch_ppocr_mobile_v2.0_cls_infer.onnx";

    @Inject
    private BundleContext context;

    @Inject
    private SessionFactory sessionFactory;

    @Inject
    private FeaturesService features;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() throws IOException {
        return Distribution.options();
    }

    // ---------------------------------------------------------------- features and services

    @Test
    public void featuresAreInstalledAndNoBundleFailed() throws Exception {
        for (String feature : new String[] {"sparoa-api", "sparoa-core", "sparoa-backend-ort", "sparoa-backend-sparse",
                "sparoa-analyzer", "sparoa-shell", "sparoa"}) {
            assertTrue(feature + " is installed", features.isInstalled(features.getFeature(feature)));
        }
        Distribution.waitFor("every bundle active", () -> Arrays.stream(context.getBundles())
                .filter(b -> b.getHeaders().get("Fragment-Host") == null)
                .allMatch(b -> b.getState() == Bundle.ACTIVE));
        long onnxRuntimes = Arrays.stream(context.getBundles())
                .filter(b -> b.getSymbolicName().startsWith("com.microsoft.onnxruntime")).count();
        assertEquals("ONNX Runtime is exactly one bundle", 1, onnxRuntimes);
    }

    @Test
    public void ortCpuBackendIsRegistered() throws Exception {
        Distribution.waitFor("the ort-cpu DeviceBackend service", () -> backendRegistered("ort-cpu"));
        String out = execute("sparoa:backends");
        assertTrue(out, out.contains("ort-cpu"));
    }

    /**
     * The analyzer, the engine and the threshold policy reference each other through services (analyzer -> engine
     * -> policies -> analyzer); a cycle there once left the shell bundle with no commands at all. Every command of
     * the bundle must be registered, the analyzer must analyse, and the threshold policy must have its analyzer.
     */
    @Test
    public void everyShellCommandIsRegisteredAndTheAnalyzerServesThroughTheShell() throws Exception {
        for (String command : new String[] {"load", "models", "unload", "backends", "run", "demo", "analyze", "prune",
                "train", "profile", "schedule", "policies", "policy", "trace"}) {
            Distribution.waitFor("sparoa:" + command,
                    () -> sessionFactory.getRegistry().getCommand("sparoa", command) != null);
        }
        Path model = model(CLASSIFIER);
        String out = execute("sparoa:analyze --calibration 1 " + shape(model) + " --top 5 " + model);
        assertTrue(out, out.contains("Conv"));
        String schedule = execute("sparoa:schedule --summary --policy threshold " + shape(model) + " " + model);
        // the policy must plan: its plan, or one of its candidates, or a single backend kept by the engine's measured
        // choice because it ran faster (reason "<label> was measured faster on the request's inputs (...)"), all keep
        // the policy's name; a fallback of the resolver ("policy 'threshold' failed / exceeded its budget / returned
        // an invalid placement / is not installed") puts first-capable there instead
        String planLine = schedule.lines().filter(l -> l.startsWith("Policy: ")).findFirst().orElse(schedule);
        assertTrue("threshold planned without falling back: " + planLine, planLine.startsWith("Policy: threshold,"));
        assertFalse("threshold planned without falling back: " + planLine, planLine.contains("policy 'threshold'"));
    }

    // ---------------------------------------------------------------- run, against plain ONNX Runtime

    @Test
    public void runReportsLatencyAndSavesOutputsEqualToPlainOnnxRuntime() throws Exception {
        Distribution.waitFor("the ort-cpu backend", () -> backendRegistered("ort-cpu"));
        Path model = model(CLASSIFIER);
        Path work = Files.createTempDirectory("sparoa-run");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] values = new float[1 * 3 * 48 * 192];
        Random random = new Random(7);
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat() * 2 - 1;
        }
        long[] shape = {1, 3, 48, 192};
        float[] expected;
        String inputName;
        try (OrtSession session = env.createSession(model.toString(), new OrtSession.SessionOptions())) {
            inputName = session.getInputNames().iterator().next();
            try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(values), shape);
                    OrtSession.Result result = session.run(Map.of(inputName, input))) {
                FloatBuffer buffer = ((OnnxTensor) result.get(0)).getFloatBuffer();
                expected = new float[buffer.remaining()];
                buffer.get(expected);
            }
        }
        Path inputFile = work.resolve("input_0.pb");
        TensorProtoIO.write(inputFile, inputName, Tensor.ofFloats(shape, values));
        Path outputs = work.resolve("out");
        Path json = work.resolve("run.json");

        String out = execute("sparoa:run --iterations 5 --warmup 1 --backend ort-cpu --input "
                + inputName + "=" + inputFile + " --save-outputs " + outputs + " --json " + json + " " + model);

        assertTrue("reports p50 latency: " + out, out.contains("p50"));
        String report = Files.readString(json);
        assertTrue(report, report.contains("latencyMs") && report.contains("p50") && report.contains("ort-cpu"));
        float[] actual = TensorProtoIO.read(outputs.resolve("output_0.pb")).tensor().toFloatArray();
        assertEquals("output length", expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals("output[" + i + "]", expected[i], actual[i], 1e-5f);
        }
    }

    /**
     * {@code cpus} set on {@code sparse-cpu} while the platform runs: the backend pins its threads there (JNA bound
     * to the C library inside the OSGi framework), says so in its state, and serves a request; unset, it runs
     * unpinned again.
     */
    @Test
    public void sparseCpuPinnedToACpuOfItsOwnServesThere() throws Exception {
        Distribution.waitFor("the sparse-cpu backend", () -> backendRegistered("sparse-cpu"));
        String allowed = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("Cpus_allowed_list:")).findFirst().orElseThrow()
                .substring("Cpus_allowed_list:".length()).trim();
        String cpu = allowed.replaceAll(".*[,-]", "");
        org.osgi.service.cm.Configuration c = configAdmin.getConfiguration("org.sparoa.backend.sparse", "?");
        java.util.Dictionary<String, Object> props = c.getProperties() == null ? new java.util.Hashtable<>()
                : c.getProperties();
        props.put("cpus", cpu);
        c.update(props);
        try {
            Distribution.waitFor("sparse-cpu pinned to CPU " + cpu,
                    () -> backendDetail("sparse-cpu").endsWith("on CPUs " + cpu));
            // its utilisation is now the other processes' load on its own CPU, read inside OSGi (not -1: unknown)
            Distribution.waitFor("sparse-cpu's utilisation read on CPU " + cpu,
                    () -> backendState("sparse-cpu") != null && backendState("sparse-cpu").utilisation() >= 0);
            Path model = model(CLASSIFIER);
            String out = execute("sparoa:run --iterations 5 --warmup 1 --backend sparse-cpu " + shape(model) + " "
                    + model);
            assertTrue("a pinned sparse-cpu reports p50 latency: " + out, out.contains("p50"));
        } finally {
            props.remove("cpus");
            c.update(props);
        }
        Distribution.waitFor("sparse-cpu unpinned", () -> backendRegistered("sparse-cpu")
                && !backendDetail("sparse-cpu").contains("on CPUs"));
    }

    private String backendDetail(String id) throws Exception {
        org.sparoa.api.DeviceState state = backendState(id);
        return state == null ? "" : state.detail();
    }

    /** The live state of backend {@code id}, or null while there is none. */
    private org.sparoa.api.DeviceState backendState(String id) throws Exception {
        for (ServiceReference<DeviceBackend> ref
                : context.getServiceReferences(DeviceBackend.class, "(sparoa.backend.id=" + id + ")")) {
            DeviceBackend backend = context.getService(ref);
            try {
                return backend == null ? null : backend.state();
            } finally {
                context.ungetService(ref);
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- hot plug

    @Test
    public void backendInstalledAtRuntimeServesTheNextRequestAndStoppingItLeavesThePlatformServing()
            throws Exception {
        Distribution.waitFor("the ort-cpu backend", () -> backendRegistered("ort-cpu"));
        Path model = model(CLASSIFIER);
        Bundle booted = bundle("org.sparoa.backend.sparse");
        if (booted != null) {
            booted.uninstall();
        }
        Distribution.waitFor("sparse-cpu gone", () -> !backendRegistered("sparse-cpu"));
        assertFalse(execute("sparoa:backends").contains("sparse-cpu"));

        String version = System.getProperty("sparoa.itest.version");
        Bundle sparse = context.installBundle("mvn:org.sparoa/org.sparoa.backend.sparse/" + version);
        sparse.start();
        Distribution.waitFor("sparse-cpu registered", () -> backendRegistered("sparse-cpu"));
        assertTrue(execute("sparoa:backends").contains("sparse-cpu"));

        Path json = Files.createTempDirectory("sparoa-hot").resolve("sparse.json");
        execute("sparoa:run --iterations 1 --warmup 0 --segments 4 " + shape(model) + " --json " + json + " " + model);
        assertTrue("a segment served by sparse-cpu", Files.readString(json).contains("sparse-cpu"));

        sparse.stop();
        Distribution.waitFor("sparse-cpu gone after stop", () -> !backendRegistered("sparse-cpu"));
        Path json2 = json.resolveSibling("after-stop.json");
        execute("sparoa:run --iterations 1 --warmup 0 --segments 4 " + shape(model) + " --json " + json2 + " " + model);
        String report = Files.readString(json2);
        assertTrue(report, report.contains("ort-cpu") && !report.contains("sparse-cpu"));
        sparse.start();
        Distribution.waitFor("sparse-cpu back", () -> backendRegistered("sparse-cpu"));
    }

    // ---------------------------------------------------------------- bad input

    @Test
    public void badInputGetsAOneLineErrorAndTheNextGoodRequestWorks() throws Exception {
        Distribution.waitFor("the ort-cpu backend", () -> backendRegistered("ort-cpu"));
        Path model = model(CLASSIFIER);
        Path work = Files.createTempDirectory("sparoa-bad");
        Path notOnnx = Files.writeString(work.resolve("notes.onnx"), "this is not a model\n");
        byte[] bytes = Files.readAllBytes(model);
        Path truncated = Files.write(work.resolve("truncated.onnx"), Arrays.copyOf(bytes, bytes.length / 3));
        Path wrongShape = work.resolve("wrong.pb");
        String inputName = inputNameOf(model);
        TensorProtoIO.write(wrongShape, inputName, Tensor.ofFloats(new long[] {1, 3, 7}, new float[21]));

        assertFails("sparoa:run " + notOnnx, "notes.onnx");
        assertFails("sparoa:run " + truncated, "truncated.onnx");
        assertFails("sparoa:run --input " + inputName + "=" + wrongShape + " " + model, inputName);
        assertFails("sparoa:run --backend no-such-backend " + shape(model) + " " + model, "no-such-backend");

        String out = execute("sparoa:run --iterations 1 --warmup 0 " + shape(model) + " " + model);
        assertTrue(out, out.contains("p50"));
    }

    // ---------------------------------------------------------------- helpers

    private void assertFails(String command, String named) throws Exception {
        try {
            String out = execute(command);
            fail("'" + command + "' should fail, printed: " + out);
        } catch (Exception e) {
            String message = String.valueOf(e.getMessage());
            assertFalse("one line: " + message, message.contains("\n"));
            assertTrue("names " + named + ": " + message, message.contains(named));
        }
    }

    private static String inputNameOf(Path model) throws Exception {
        try (OrtSession session = OrtEnvironment.getEnvironment()
                .createSession(model.toString(), new OrtSession.SessionOptions())) {
            return session.getInputNames().iterator().next();
        }
    }

    /** The classifier's input has dynamic dimensions: the shape PP-OCR feeds it. */
    private static String shape(Path model) throws Exception {
        return "--shape " + inputNameOf(model) + "=1x3x48x192";
    }

    private static Path model(String name) {
        Path model = Paths.get(System.getProperty("karaf.home"), "models", name);
        assertTrue("the distribution ships " + model, Files.isRegularFile(model));
        return model;
    }

    private Bundle bundle(String symbolicName) {
        return Arrays.stream(context.getBundles()).filter(b -> symbolicName.equals(b.getSymbolicName()))
                .findFirst().orElse(null);
    }

    private boolean backendRegistered(String id) throws Exception {
        Collection<ServiceReference<DeviceBackend>> refs =
                context.getServiceReferences(DeviceBackend.class, "(sparoa.backend.id=" + id + ")");
        return !refs.isEmpty();
    }

    /**
     * Runs a shell command as an admin and returns what it printed; a failing command throws. Waits first for the
     * command to be registered: Karaf's shell extender registers a bundle's commands once all their references are
     * satisfied, after the bundle is active.
     */
    private String execute(String command) throws Exception {
        return Distribution.execute(sessionFactory, command);
    }
}
