package org.sparoa.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparoa.api.BackendException;
import org.sparoa.api.CompiledSegment;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.Model;
import org.sparoa.api.RunOptions;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.internal.OrtCpuBackend;

/**
 * The first synchronous request of each model warms the engine's request path by running again, for a bounded time,
 * unseen by observers and not counted as requests; later requests run once; a failing warm run costs the first
 * request nothing.
 */
class RequestPathWarmupTest {
    private static final Map<String, Tensor> X = Map.of("x", Tensor.ofFloats(new long[] {1, 4},
            new float[] {1, -2, 3, -4}));
    private static final float[] RELU_X = {1, 0, 3, 0};
    private static OrtCpuBackend ort;

    @BeforeAll
    static void start() {
        ort = new OrtCpuBackend("ort-cpu", 1, 1);
    }

    @AfterAll
    static void stop() {
        ort.close();
    }

    @AfterEach
    void defaultWarmup() {
        System.clearProperty(LocalPlatform.REQUEST_PATH_WARMUP_MILLIS);
    }

    @Test
    void theFirstRequestOfEachModelRunsAgainThroughThePathAndLaterRequestsOnce(@TempDir Path dir) throws Exception {
        System.setProperty(LocalPlatform.REQUEST_PATH_WARMUP_MILLIS, "200");
        Counting counting = new Counting(ort, Integer.MAX_VALUE);
        try (LocalPlatform p = LocalPlatform.of(counting)) {
            PlanObserversTest.Recorder observed = new PlanObserversTest.Recorder(2);
            p.addObserver(observed);
            Model m = p.models().load(null, TinyModels.twoRelus(dir, "a.onnx"));
            assertArrayEquals(RELU_X, p.inference().infer(m.id(), X, RunOptions.defaults()).outputs().get("y")
                    .toFloatArray());
            int afterFirst = counting.runs.get();
            assertTrue(afterFirst > 1, "the first request ran its plan again to warm the path: " + afterFirst);
            // warm runs replay one real run's outputs, and run the model in one of 64 of at most 5,000
            assertTrue(afterFirst <= 2 + 5000 / 64, "the model ran at most once per 64 warm runs: " + afterFirst);

            p.inference().infer(m.id(), X, RunOptions.defaults());
            assertEquals(afterFirst + 1, counting.runs.get(), "a later request of the model runs once");
            assertEquals(2, p.requestsReceived(), "warm runs are not requests");
            assertTrue(observed.latch.await(30, TimeUnit.SECONDS), "both requests observed");
            // the observers saw the two requests, in order; a warm run published would have come between them
            assertEquals(2, observed.seen.size(), "observers saw the two requests only");

            Model other = p.models().load(null, TinyModels.twoRelus(dir, "b.onnx"));
            int before = counting.runs.get();
            p.inference().infer(other.id(), X, RunOptions.defaults());
            assertTrue(counting.runs.get() - before > 1, "another model's first request warms its own path");
        }
    }

    @Test
    void noWarmupWhenItsBudgetIsZeroOrTheRequestAsksForItsIntermediates(@TempDir Path dir) throws Exception {
        System.setProperty(LocalPlatform.REQUEST_PATH_WARMUP_MILLIS, "0");
        Counting counting = new Counting(ort, Integer.MAX_VALUE);
        try (LocalPlatform p = LocalPlatform.of(counting)) {
            Model m = p.models().load(null, TinyModels.twoRelus(dir, "a.onnx"));
            p.inference().infer(m.id(), X, RunOptions.defaults());
            assertEquals(1, counting.runs.get(), "budget 0: the first request runs once");
        }
        System.setProperty(LocalPlatform.REQUEST_PATH_WARMUP_MILLIS, "200");
        Counting traced = new Counting(ort, Integer.MAX_VALUE);
        try (LocalPlatform p = LocalPlatform.of(traced)) {
            Model m = p.models().load(null, TinyModels.twoRelus(dir, "b.onnx"));
            p.inference().infer(m.id(), X, RunOptions.defaults().capturingIntermediates());
            assertEquals(1, traced.runs.get(), "a request that captures intermediates (a trace) is not repeated");
        }
    }

    @Test
    void aWarmRunThatFailsEndsTheWarmupAndTheFirstRequestKeepsItsResult(@TempDir Path dir) throws Exception {
        System.setProperty(LocalPlatform.REQUEST_PATH_WARMUP_MILLIS, "200");
        Counting failsOnSecond = new Counting(ort, 1);
        try (LocalPlatform p = LocalPlatform.of(failsOnSecond)) {
            Model m = p.models().load(null, TinyModels.twoRelus(dir, "a.onnx"));
            assertArrayEquals(RELU_X, p.inference().infer(m.id(), X, RunOptions.defaults()).outputs().get("y")
                    .toFloatArray(), "the first request returns its own result");
            assertEquals(2, failsOnSecond.runs.get(), "the warm-up stopped at its failing run");
            assertArrayEquals(RELU_X, p.inference().infer(m.id(), X, RunOptions.defaults()).outputs().get("y")
                    .toFloatArray(), "the platform keeps serving");
        }
    }

    /** Counts its segments' runs; the run after {@code healthyRuns} runs fails, once. */
    static final class Counting extends DelegatingBackend {
        final AtomicInteger runs = new AtomicInteger();
        private final int healthyRuns;

        Counting(DeviceBackend delegate, int healthyRuns) {
            super(delegate);
            this.healthyRuns = healthyRuns;
        }

        @Override
        public CompiledSegment compile(Segment segment) {
            return new WrappedSegment(segment) {
                @Override
                public Map<String, Tensor> run(Map<String, Tensor> in) {
                    if (runs.incrementAndGet() == healthyRuns + 1) {
                        throw new BackendException("run " + (healthyRuns + 1) + " fails, as asked");
                    }
                    return inner.run(in);
                }

                @Override
                public CompletableFuture<Map<String, Tensor>> execute(Map<String, Tensor> in) {
                    try {
                        return CompletableFuture.completedFuture(run(in));
                    } catch (RuntimeException e) {
                        return CompletableFuture.failedFuture(e);
                    }
                }
            };
        }
    }
}
