package org.sparoa.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.InferenceService;
import org.sparoa.api.Model;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.RunOptions;
import org.sparoa.api.SchedulingPolicy;
import org.sparoa.api.Tensor;

/**
 * Issue 11: a backend stopped and started while plans are being measured against single backends fails no
 * request. Every request carries its own policy option, so every request is planned and measured anew (about a
 * second of measuring each, against 1.5 ms of running); the sparse-cpu bundle is stopped and started four times
 * under that load. Every request must succeed with ONNX Runtime's output.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MeasuredChoiceHotSwapTest {
    private static final long[] SHAPE = {1, 3, 48, 192};
    private static final int CYCLES = 4;

    @Inject
    private BundleContext context;

    @Inject
    private InferenceService inference;

    @Inject
    private ModelRegistry models;

    @Configuration
    public Option[] config() throws IOException {
        // "single" asks for the measured choice too (a configuration property of a DS component becomes a service
        // property): its plan (all on sparse-cpu) is then timed against ort-cpu alone, so a request's measured choice
        // always holds sparse-cpu (greedy may place everything on ort-cpu, and a departed backend in a losing
        // alternative fails nothing)
        return Distribution.options(editConfigurationFilePut("etc/org.sparoa.policy.single.cfg",
                SchedulingPolicy.PROP_MEASURED_CHOICE, "true"));
    }

    @Test
    public void stoppingAndStartingABackendDuringMeasuredChoicesFailsNoRequest() throws Exception {
        Distribution.waitFor("ort-cpu and sparse-cpu", () -> registered("ort-cpu") && registered("sparse-cpu"));
        Path file = Paths.get(System.getProperty("karaf.home"), "models", "ch_ppocr_mobile_v2.0_cls_infer.onnx");
        Model model = models.load("cls-measured-swap", file);
        String input = model.graph().inputs().get(0).name();
        float[] values = new float[(int) (SHAPE[0] * SHAPE[1] * SHAPE[2] * SHAPE[3])];
        Random random = new Random(7);
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat() * 2 - 1;
        }
        float[] reference = plainOrt(file, input, values);
        Map<String, Tensor> inputs = Map.of(input, Tensor.ofFloats(SHAPE, values));

        AtomicInteger started = new AtomicInteger();
        AtomicInteger served = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<long[]> intervals = new ConcurrentLinkedQueue<>(); // start and end of every request
        ConcurrentLinkedQueue<Long> stops = new ConcurrentLinkedQueue<>();
        Thread client = new Thread(() -> {
            for (int i = 0; !stop.get(); i++) {
                long t0 = System.nanoTime();
                started.incrementAndGet();
                try {
                    // a fresh option value: a new plan key, so this request is planned and measured anew
                    InferenceResult r = inference.infer(model.id(), inputs, RunOptions.withPolicy("single",
                            Map.of("backend", "sparse-cpu", "request", Integer.toString(i))));
                    float[] out = r.outputs().values().iterator().next().toFloatArray();
                    if (!close(reference, out)) {
                        failures.add("request " + i + ": wrong output");
                    }
                    served.incrementAndGet();
                } catch (RuntimeException e) {
                    failures.add("request " + i + ": " + e);
                }
                intervals.add(new long[] {t0, System.nanoTime()});
            }
        }, "client-greedy");
        client.start();
        Bundle sparse = Arrays.stream(context.getBundles())
                .filter(b -> "org.sparoa.backend.sparse".equals(b.getSymbolicName())).findFirst().orElseThrow();
        int cycles = 0;
        try {
            // at least CYCLES stop/start cycles, and on until the engine has logged that a backend left while a plan
            // was being measured (the path under test), up to MAX_CYCLES
            while (cycles < CYCLES) {
                int before = started.get();
                // a request has started planning: it is in its profiling or measuring phase for about a second
                Distribution.waitFor("a request being planned", () -> started.get() > before);
                stops.add(System.nanoTime());
                sparse.stop();
                Distribution.waitFor("sparse-cpu gone", () -> !registered("sparse-cpu"));
                sparse.start();
                Distribution.waitFor("sparse-cpu back", () -> registered("sparse-cpu"));
                cycles++;
            }
            int after = served.get();
            Distribution.waitFor("requests served after the last start", () -> served.get() > after + 1);
        } finally {
            stop.set(true);
            client.join(Distribution.TIMEOUT_MS);
            models.unload(model.id());
        }
        assertEquals("failed requests: " + failures, List.of(), List.copyOf(failures));
        // every request is almost all planning and measuring (a new plan key each time; running is 1.5 ms of it)
        long overlapping = stops.stream().filter(t -> intervals.stream().anyMatch(iv -> iv[0] < t && t < iv[1]))
                .count();
        System.out.println("MeasuredChoiceHotSwapTest: " + served.get() + " requests, 0 failed, " + cycles
                + " stop/start cycles of sparse-cpu, " + overlapping + " of the stops while a request was being planned"
                + " and measured");
        assertEquals("every stop came while a request was being planned and measured", cycles, overlapping);
        assertTrue("requests served: " + served.get(), served.get() >= CYCLES);
    }

    private boolean registered(String id) throws Exception {
        return !context.getServiceReferences(DeviceBackend.class, "(sparoa.backend.id=" + id + ")").isEmpty();
    }

    private static boolean close(float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= 1e-4)) {
                return false;
            }
        }
        return true;
    }

    private static float[] plainOrt(Path model, String input, float[] values) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(model.toString(), new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(values), SHAPE);
             OrtSession.Result result = session.run(Map.of(input, in))) {
            FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] expected = new float[out.remaining()];
            out.get(expected);
            return expected;
        }
    }
}
