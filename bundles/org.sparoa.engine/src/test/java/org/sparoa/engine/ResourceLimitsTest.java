package org.sparoa.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparoa.api.RandomInputs;
import org.sparoa.api.CompiledSegment;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.Model;
import org.sparoa.api.ModelFormatException;
import org.sparoa.api.ResourceLimitException;
import org.sparoa.api.RunOptions;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.internal.OrtCpuBackend;

/** The configured limits refuse a model or a request with a clear error before anything large is allocated. */
class ResourceLimitsTest {
    private static OrtCpuBackend ort;
    private static final Map<String, Tensor> X = Map.of("x", Tensor.ofFloats(new long[] {1, 4},
            new float[] {1, -2, 3, -4}));

    @BeforeAll
    static void start() {
        ort = new OrtCpuBackend("ort-cpu", 1, 1);
    }

    @AfterAll
    static void stop() {
        ort.close();
    }

    @Test
    void aModelFileOverTheLimitIsRefusedAndNothingIsLoaded() {
        try (LocalPlatform p = LocalPlatform.withLimits(new ResourceLimits(100_000, 1 << 26, 1 << 28, 16), ort)) {
            Path cls = TestModels.ppocr("ch_ppocr_mobile_v2.0_cls_infer.onnx");
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> p.models().load(null, cls));
            assertTrue(e.getMessage().contains("more than the limit of 100000 bytes"), e.getMessage());
            assertTrue(p.models().list().isEmpty());
        }
    }

    @Test
    void aTakenIdIsRefusedForAnotherModelAndReplacedOnlyOnRequest(@TempDir Path dir) throws IOException {
        try (LocalPlatform p = LocalPlatform.of(ort)) {
            Model first = p.models().load("m", TinyModels.twoRelus(dir, "a.onnx"));
            assertSame(first, p.models().load("m", dir.resolve("a.onnx")), "the same file again: the loaded model");
            Path other = TinyModels.expand(dir, 2, 4);
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> p.models().load("m", other));
            assertTrue(e.getMessage().contains("'m' is already taken") && e.getMessage().contains("a.onnx"),
                    e.getMessage());
            assertSame(first, p.models().require("m"), "the model in use stays");
            Model replaced = p.models().replace("m", other);
            assertSame(replaced, p.models().require("m"));
        }
    }

    @Test
    void anInputOverTheLimitIsRefusedAndRandomInputsAreNeverMade() {
        try (LocalPlatform p = LocalPlatform.withLimits(new ResourceLimits(1 << 30, 1000, 1 << 28, 16), ort)) {
            Model m = p.models().load(null, TestModels.ppocr("ch_ppocr_mobile_v2.0_cls_infer.onnx"));
            Map<String, Tensor> in = RandomInputs.forModel(m, Map.of("x", new long[] {1, 3, 48, 192}), 1);
            ResourceLimitException e = assertThrows(ResourceLimitException.class,
                    () -> p.inference().infer(m.id(), in, RunOptions.defaults()));
            assertTrue(e.getMessage().contains("input 'x'") && e.getMessage().contains("27648 elements"),
                    e.getMessage());
            // 1x3x65536x65536: 12.9 G elements (an OutOfMemoryError after 18 s before); 1x3x47000x47000 wraps 32 bits
            for (long[] shape : new long[][] {{1, 3, 65536, 65536}, {1, 3, 47000, 47000}}) {
                ResourceLimitException r = assertThrows(ResourceLimitException.class,
                        () -> RandomInputs.forModel(m, Map.of("x", shape), 1));
                assertTrue(r.getMessage().contains("more than the limit"), r.getMessage());
            }
            assertThrows(ResourceLimitException.class, () -> RandomInputs.forModel(m,
                    Map.of("x", new long[] {1, 3, Long.MAX_VALUE / 2, 4}), 1), "a count past a long");
        }
    }

    /** The request path's message-free test agrees with the check that names the tensor. */
    @Test
    void withinElementsAgreesWithCheckElements() {
        long[][] shapes = {{1, 3, 10, 10}, {1, 3, 10, 11}, {1, -1, 1 << 20, 1 << 20}, {1, 3, Long.MAX_VALUE / 2, 4},
                {0, 3, 1 << 30, 1 << 30}, {}};
        for (long[] shape : shapes) {
            boolean within = ResourceLimits.withinElements(shape, 300);
            boolean passes;
            try {
                ResourceLimits.checkElements(shape, 300, "t");
                passes = true;
            } catch (ResourceLimitException e) {
                passes = false;
            }
            assertEquals(passes, within, java.util.Arrays.toString(shape));
        }
        assertTrue(ResourceLimits.withinElements(new long[] {1, 3, 10, 10}, 300), "exactly at the limit");
        assertFalse(ResourceLimits.withinElements(new long[] {1, 3, 10, 11}, 300), "one row over");
        assertFalse(ResourceLimits.withinElements(new long[] {1, 3, Long.MAX_VALUE / 2, 4}, Long.MAX_VALUE),
                "past a long");
    }

    @Test
    void aPlanThatWouldMakeATensorOverTheLimitIsRefusedBeforeItRuns(@TempDir Path dir) throws IOException {
        CountingBackend counting = new CountingBackend(ort);
        try (LocalPlatform p = LocalPlatform.withLimits(new ResourceLimits(1 << 30, 1 << 26, 1 << 20, 16), counting)) {
            Model huge = p.models().load(null, TinyModels.expand(dir, 1 << 16, 1 << 16, 4));
            ResourceLimitException e = assertThrows(ResourceLimitException.class,
                    () -> p.inference().infer(huge.id(), X, RunOptions.defaults()));
            assertTrue(e.getMessage().contains("tensor 'big'") && e.getMessage().contains("node 'expand'")
                    && e.getMessage().contains("17179869184 elements"), e.getMessage());
            assertEquals(0, counting.compiled, "refused before any segment was compiled or run");
            Path small = dir.resolve("small");
            java.nio.file.Files.createDirectories(small);
            Model fine = p.models().load("fine", TinyModels.expand(small, 2, 4));
            InferenceResult r = p.inference().infer(fine.id(), X, RunOptions.defaults());
            assertEquals(8f, r.outputs().get("y").toFloatArray()[0], 1e-6, "2 x (1 + 3)");
        }
    }

    @Test
    void requestsOverTheConcurrencyLimitOfAModelAreRefusedAndAdmittedAgainAfterwards(@TempDir Path dir)
            throws Exception {
        HoldingBackend holding = new HoldingBackend(ort);
        try (LocalPlatform p = LocalPlatform.withLimits(new ResourceLimits(1 << 30, 1 << 26, 1 << 28, 1), holding)) {
            Model m = p.models().load(null, TinyModels.twoRelus(dir, "r.onnx"));
            CompletableFuture<InferenceResult> first = p.inference().inferAsync(m.id(), X, RunOptions.defaults());
            assertTrue(holding.started.await(30, TimeUnit.SECONDS));
            ResourceLimitException e = assertThrows(ResourceLimitException.class,
                    () -> p.inference().infer(m.id(), X, RunOptions.defaults()));
            assertTrue(e.getMessage().contains("already runs 1 request"), e.getMessage());
            holding.release.countDown();
            assertEquals(3f, first.get(30, TimeUnit.SECONDS).outputs().get("y").toFloatArray()[2]);
            assertEquals(3f, p.inference().infer(m.id(), X, RunOptions.defaults()).outputs().get("y")
                    .toFloatArray()[2], "the place is free again");
        }
    }

    /** Counts compiled segments. */
    static final class CountingBackend extends DelegatingBackend {
        volatile int compiled;

        CountingBackend(DeviceBackend delegate) {
            super(delegate);
        }

        @Override
        public CompiledSegment compile(Segment segment) {
            compiled++;
            return delegate.compile(segment);
        }
    }

    /** Each segment run waits, once {@link #started} has counted down, until the test releases it. */
    static final class HoldingBackend extends DelegatingBackend {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        HoldingBackend(DeviceBackend delegate) {
            super(delegate);
        }

        @Override
        public CompiledSegment compile(Segment segment) {
            return new WrappedSegment(segment) {
                @Override
                public Map<String, Tensor> run(Map<String, Tensor> in) {
                    started.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
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
}
