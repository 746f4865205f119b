package org.sparoa.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import javax.inject.Inject;
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
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.InferenceService;
import org.sparoa.api.Model;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.RunOptions;
import org.sparoa.api.SchedulingPolicy;

/**
 * Issue 11: a backend stopped and started while plans are being measured against single backends fails no
 * request. Every request carries its own policy option, so every request is planned and measured anew (about a
 * second of measuring each, against 1.5 ms of running); the sparse-cpu bundle is stopped and started four times
 * under that load. Every request must succeed with ONNX Runtime's output.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MeasuredChoiceHotSwapTest {
    @Rule
    public final HangGuard hangGuard = HangGuard.minutes(10);

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
        Path file = OrtReferences.classifier();
        Model model = models.load("cls-measured-swap", file);
        String input = model.graph().inputs().get(0).name();
        OrtReferences references = OrtReferences.classifier(input, 1, 1e-4);

        AtomicInteger requests = new AtomicInteger();
        ConcurrentLinkedQueue<long[]> intervals = new ConcurrentLinkedQueue<>(); // start and end of every request
        ConcurrentLinkedQueue<Long> stops = new ConcurrentLinkedQueue<>();
        CheckedLoad load = CheckedLoad.start("MeasuredChoiceHotSwapTest", 1, Long.MAX_VALUE, references, c -> in -> {
            long t0 = System.nanoTime();
            try {
                // a fresh option value: a new plan key, so this request is planned and measured anew
                InferenceResult r = inference.infer(model.id(), in, RunOptions.withPolicy("single",
                        Map.of("backend", "sparse-cpu", "request", Integer.toString(requests.getAndIncrement()))));
                return r.outputs().values().iterator().next().toFloatArray();
            } finally {
                intervals.add(new long[] {t0, System.nanoTime()});
            }
        });
        Bundle sparse = Arrays.stream(context.getBundles())
                .filter(b -> "org.sparoa.backend.sparse".equals(b.getSymbolicName())).findFirst().orElseThrow();
        int cycles = 0;
        try {
            // at least CYCLES stop/start cycles, and on until the engine has logged that a backend left while a plan
            // was being measured (the path under test), up to MAX_CYCLES
            while (cycles < CYCLES) {
                long before = load.sent();
                // a request has started planning: it is in its profiling or measuring phase for about a second
                Distribution.waitFor("a request being planned", () -> load.sent() > before);
                stops.add(System.nanoTime());
                sparse.stop();
                Distribution.waitFor("sparse-cpu gone", () -> !registered("sparse-cpu"));
                sparse.start();
                Distribution.waitFor("sparse-cpu back", () -> registered("sparse-cpu"));
                cycles++;
            }
            long after = load.answered();
            Distribution.waitFor("requests served after the last start", () -> load.answered() > after + 1);
        } finally {
            load.stopAndJoin();
            models.unload(model.id());
        }
        load.assertNoneFailedLostOrWrong();
        // every request is almost all planning and measuring (a new plan key each time; running is 1.5 ms of it)
        long overlapping = stops.stream().filter(t -> intervals.stream().anyMatch(iv -> iv[0] < t && t < iv[1]))
                .count();
        System.out.println("MeasuredChoiceHotSwapTest: " + load.answered() + " requests, 0 failed, " + cycles
                + " stop/start cycles of sparse-cpu, " + overlapping + " of the stops while a request was being planned"
                + " and measured");
        assertEquals("every stop came while a request was being planned and measured", cycles, overlapping);
        assertTrue("requests served: " + load.answered(), load.answered() >= CYCLES);
    }

    private boolean registered(String id) throws Exception {
        return !context.getServiceReferences(DeviceBackend.class, "(sparoa.backend.id=" + id + ")").isEmpty();
    }
}
