package org.sparoa.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparoa.api.RandomInputs;
import org.sparoa.policy.partition.internal.PartitionPolicy;
import org.sparoa.api.BackendException;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.InvalidInputException;
import org.sparoa.api.Model;
import org.sparoa.api.ModelFormatException;
import org.sparoa.api.Placement;
import org.sparoa.api.RunOptions;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SchedulingPolicy;
import org.sparoa.api.SegmentPlan;
import org.sparoa.api.Tensor;
import org.sparoa.api.UnknownModelException;
import org.sparoa.backend.ort.internal.OrtCpuBackend;

/** How the engine treats bad input, misbehaving policies and backends that come and go. */
class EngineBehaviourTest {
    private static final String CLS = "ch_ppocr_mobile_v2.0_cls_infer.onnx";
    private OrtCpuBackend ort;
    private LocalPlatform platform;
    private Model model;
    private Map<String, Tensor> inputs;

    @BeforeEach
    void start() {
        ort = new OrtCpuBackend("ort-cpu", 2, 1);
        platform = LocalPlatform.of(ort);
        platform.addPolicy(new PartitionPolicy());
        model = platform.models().load("cls", TestModels.ppocr(CLS));
        inputs = RandomInputs.forModel(model, Map.of("x", new long[] {1, 3, 48, 192}), 7);
    }

    @AfterEach
    void stop() {
        platform.close();
        ort.close();
    }

    @Test
    void wrongShapeIsRejectedNamingInputAndShapes() {
        Tensor wrong = Tensor.ofFloats(new long[] {1, 4, 48, 192}, new float[4 * 48 * 192]);
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> platform.inference().infer("cls", Map.of("x", wrong), RunOptions.defaults()));
        assertTrue(e.getMessage().contains("'x'") && e.getMessage().contains("1x4x48x192")
                && e.getMessage().contains("?x3x?x?"), e.getMessage());
        assertNotNull(platform.inference().infer("cls", inputs, RunOptions.defaults()), "still serving");
    }

    @Test
    void nanUnknownAndMissingInputsAreRejected() {
        float[] values = inputs.get("x").toFloatArray();
        values[5] = Float.NaN;
        Tensor nan = Tensor.ofFloats(inputs.get("x").shape(), values);
        assertTrue(assertThrows(InvalidInputException.class,
                () -> platform.inference().infer("cls", Map.of("x", nan), RunOptions.defaults()))
                .getMessage().contains("NaN at element 5"));
        Map<String, Tensor> extra = new HashMap<>(inputs);
        extra.put("bogus", inputs.get("x"));
        assertTrue(assertThrows(InvalidInputException.class,
                () -> platform.inference().infer("cls", extra, RunOptions.defaults())).getMessage().contains("'bogus'"));
        assertTrue(assertThrows(InvalidInputException.class,
                () -> platform.inference().infer("cls", Map.of(), RunOptions.defaults())).getMessage().contains("needs input 'x'"));
    }

    @Test
    void unknownModelAndBackendAreNamed() {
        assertTrue(assertThrows(UnknownModelException.class,
                () -> platform.inference().infer("nope", inputs, RunOptions.defaults())).getMessage().contains("'nope'"));
        BackendException e = assertThrows(BackendException.class,
                () -> platform.inference().infer("cls", inputs, RunOptions.onBackend("tpu-9")));
        assertTrue(e.getMessage().contains("'tpu-9'") && e.getMessage().contains("ort-cpu"), e.getMessage());
    }

    @Test
    void notOnnxAndTruncatedFilesFailToLoadAndChangeNothing(@TempDir Path dir) throws IOException {
        Path text = dir.resolve("notes.onnx");
        Files.writeString(text, "this is not a model\n");
        Path truncated = dir.resolve("cls_truncated.onnx");
        byte[] real = Files.readAllBytes(TestModels.ppocr(CLS));
        Files.write(truncated, Arrays.copyOf(real, real.length / 2));

        ModelFormatException notOnnx = assertThrows(ModelFormatException.class, () -> platform.models().load("cls", text));
        assertTrue(notOnnx.getMessage().contains("notes.onnx"), notOnnx.getMessage());
        ModelFormatException cut = assertThrows(ModelFormatException.class,
                () -> platform.models().load("cls", truncated));
        assertTrue(cut.getMessage().contains("cls_truncated.onnx") && cut.getMessage().contains("truncated"),
                cut.getMessage());
        assertTrue(platform.models().require("cls") == model, "the loaded model is untouched");
        assertNotNull(platform.inference().infer("cls", inputs, RunOptions.defaults()));
    }

    @Test
    void failingHangingAndNonsensePoliciesFallBackAndTheRequestSucceeds() throws Exception {
        Map<String, Tensor> expected = platform.inference().infer("cls", inputs, RunOptions.defaults()).outputs();
        CountDownLatch release = new CountDownLatch(1);
        SchedulingPolicy throwing = policy("throws", c -> {
            throw new IllegalStateException("boom");
        });
        SchedulingPolicy nonsense = policy("nonsense", c -> new Placement(Map.of("not-a-node", "ort-cpu")));
        SchedulingPolicy elsewhere = policy("elsewhere", c -> new Placement(c.model().graph().nodes().stream()
                .collect(Collectors.toMap(n -> n.name(), n -> "gpu-that-is-not-there"))));
        SchedulingPolicy hanging = policy("hangs", c -> {
            release.await();
            return null;
        });
        for (SchedulingPolicy p : new SchedulingPolicy[] {throwing, nonsense, elsewhere}) {
            platform.addPolicy(p);
            InferenceResult r = platform.inference().infer("cls", inputs, RunOptions.withPolicy(p.name(), Map.of()));
            assertEquals("first-capable", r.plan().policy(), p.name());
            assertNotNull(r.plan().fallbackReason(), p.name());
            assertTrue(r.plan().fallbackReason().contains(p.name()), r.plan().fallbackReason());
            assertEquals(expected, r.outputs(), p.name());
        }
        try (LocalPlatform quick = LocalPlatform.of(100, ort)) {
            quick.addPolicy(new PartitionPolicy());
            quick.models().load("cls", TestModels.ppocr(CLS));
            quick.addPolicy(hanging);
            InferenceResult r = quick.inference().infer("cls", inputs, RunOptions.withPolicy("hangs", Map.of()));
            assertTrue(r.plan().fallbackReason().contains("100 ms"), r.plan().fallbackReason());
            assertEquals(expected, r.outputs());
        } finally {
            release.countDown();
        }
    }

    @Test
    void planIsCachedUntilTheBackendSetChanges() {
        OrtCpuBackend second = new OrtCpuBackend("ort-cpu-b", 1, 1);
        try {
            RunOptions split = RunOptions.withPolicy("partition", Map.of("segments", "2"));
            InferenceResult one = platform.inference().infer("cls", inputs, split);
            assertEquals(Set.of("ort-cpu"), backendsOf(one));
            platform.addBackend(second, 0);
            InferenceResult two = platform.inference().infer("cls", inputs, split);
            assertEquals(Set.of("ort-cpu", "ort-cpu-b"), backendsOf(two), "a new backend serves the next request");
            assertEquals(one.outputs(), two.outputs());
            platform.removeBackend(second);
            InferenceResult three = platform.inference().infer("cls", inputs, split);
            assertEquals(Set.of("ort-cpu"), backendsOf(three), "serving on what remains");
            assertEquals(one.outputs(), three.outputs());
        } finally {
            second.close();
        }
    }

    @Test
    void backendLeavingMidRequestIsReplannedAndNoRequestIsLost() throws Exception {
        GatedBackend doomed = new GatedBackend(new OrtCpuBackend("ort-cpu-b", 1, 1));
        platform.addBackend(doomed, 10);
        RunOptions split = RunOptions.withPolicy("partition", Map.of("segments", "2", "backends", "ort-cpu-b,ort-cpu"));
        Map<String, Tensor> expected = platform.inference().infer("cls", inputs, RunOptions.onBackend("ort-cpu")).outputs();
        assertEquals(expected, platform.inference().infer("cls", inputs, split).outputs());

        doomed.arm();
        CompletableFuture<InferenceResult> inFlight = platform.inference().inferAsync("cls", inputs,
                RunOptions.withPolicy("partition", Map.of("segments", "2")));
        assertTrue(doomed.runStarted.await(30, TimeUnit.SECONDS), "the request reached the doomed backend");
        platform.removeBackend(doomed);
        doomed.plugPulled.countDown();

        InferenceResult r = inFlight.get(60, TimeUnit.SECONDS);
        assertEquals(Set.of("ort-cpu"), backendsOf(r), "re-planned on the remaining backend");
        assertEquals(expected, r.outputs());
    }

    @Test
    void captureReturnsEveryIntermediateTensor() {
        InferenceResult r = platform.inference().infer("cls", inputs, RunOptions.defaults().capturingIntermediates());
        long produced = model.graph().nodes().stream().flatMap(n -> n.outputs().stream()).filter(s -> !s.isEmpty()).count();
        assertEquals(produced, r.intermediates().size());
        assertFalse(r.intermediates().values().stream().anyMatch(t -> t.elementCount() == 0));
        assertNull(r.plan().fallbackReason());
    }

    private static Set<String> backendsOf(InferenceResult r) {
        return r.plan().segments().stream().map(SegmentPlan::backendId).collect(Collectors.toSet());
    }

    interface Body {
        Placement place(SchedulingContext c) throws Exception;
    }

    private static SchedulingPolicy policy(String name, Body body) {
        return new SchedulingPolicy() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Placement place(SchedulingContext context) throws Exception {
                return body.place(context);
            }
        };
    }
}
