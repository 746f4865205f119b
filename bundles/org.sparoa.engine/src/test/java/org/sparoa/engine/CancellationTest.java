package org.sparoa.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparoa.api.CompiledSegment;
import org.sparoa.policy.partition.internal.PartitionPolicy;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.Model;
import org.sparoa.api.RequestCancelledException;
import org.sparoa.api.RunOptions;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.internal.OrtCpuBackend;

/** A request whose caller is gone stops at the next segment boundary instead of running to its end. */
class CancellationTest {
    private static OrtCpuBackend ortA;
    private static OrtCpuBackend ortB;
    private static final Map<String, Tensor> X = Map.of("x", Tensor.ofFloats(new long[] {1, 4},
            new float[] {1, -2, 3, -4}));
    private static final RunOptions TWO_SEGMENTS = RunOptions.withPolicy("partition", Map.of("segments", "2", "backends", "a,b"));

    @BeforeAll
    static void start() {
        ortA = new OrtCpuBackend("a", 1, 1);
        ortB = new OrtCpuBackend("b", 1, 1);
    }

    @AfterAll
    static void stop() {
        ortA.close();
        ortB.close();
    }

    @Test
    void aRequestPastItsDeadlineStopsBeforeItsFirstSegment(@TempDir Path dir) throws Exception {
        try (LocalPlatform p = LocalPlatform.of(ortA)) {
            p.addPolicy(new PartitionPolicy());
            Model m = p.models().load(null, TinyModels.twoRelus(dir, "r.onnx"));
            RequestCancelledException e = assertThrows(RequestCancelledException.class, () -> p.inference()
                    .infer(m.id(), X, RunOptions.defaults().withDeadline(Instant.now().minusSeconds(1))));
            assertTrue(e.getMessage().contains("stopped after 0 of 1 segment(s)") && e.getMessage().contains("deadline"),
                    e.getMessage());
            assertEquals(3f, p.inference().infer(m.id(), X, RunOptions.defaults()).outputs().get("y").toFloatArray()[2],
                    "the platform keeps serving");
        }
    }

    @Test
    void anInterruptedCallerStopsItsRequestAtTheNextSegmentBoundary(@TempDir Path dir) throws Exception {
        Gate gate = new Gate(ortA);
        Counting second = new Counting(ortB);
        try (LocalPlatform p = LocalPlatform.of(gate, second)) {
            p.addPolicy(new PartitionPolicy());
            Model m = p.models().load(null, TinyModels.twoRelus(dir, "r.onnx"));
            assertEquals(2, p.inference().infer(m.id(), X, TWO_SEGMENTS).plan().segments().size());
            int ranBefore = second.runs.get();
            gate.arm();
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread caller = new Thread(() -> {
                try {
                    p.inference().infer(m.id(), X, TWO_SEGMENTS);
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            });
            caller.start();
            assertTrue(gate.entered.await(30, TimeUnit.SECONDS));
            caller.interrupt(); // what Karaf does to a command's thread when its session closes
            gate.open.countDown();
            Throwable t = outcome.get(30, TimeUnit.SECONDS);
            assertTrue(t instanceof RequestCancelledException && t.getMessage().contains("stopped after 1 of 2"),
                    String.valueOf(t));
            assertEquals(ranBefore, second.runs.get(), "the second segment never ran");
        }
    }

    @Test
    void aCancelledAsyncRequestStopsAtTheNextSegmentBoundary(@TempDir Path dir) throws Exception {
        Gate gate = new Gate(ortA);
        Counting second = new Counting(ortB);
        try (LocalPlatform p = LocalPlatform.of(gate, second)) {
            p.addPolicy(new PartitionPolicy());
            Model m = p.models().load(null, TinyModels.twoRelus(dir, "r.onnx"));
            InferenceResult warm = p.inference().infer(m.id(), X, TWO_SEGMENTS);
            assertEquals(2, warm.plan().segments().size());
            int ranBefore = second.runs.get();
            gate.arm();
            CompletableFuture<InferenceResult> f = p.inference().inferAsync(m.id(), X, TWO_SEGMENTS);
            assertTrue(gate.entered.await(30, TimeUnit.SECONDS));
            assertTrue(f.cancel(true));
            gate.open.countDown();
            assertThrows(CancellationException.class, f::join);
            // the request ends when its next segment would start; wait for that, then check it never ran
            assertTrue(gate.left.await(30, TimeUnit.SECONDS));
            CompletableFuture<InferenceResult> next = p.inference().inferAsync(m.id(), X, TWO_SEGMENTS);
            assertEquals(3f, next.get(30, TimeUnit.SECONDS).outputs().get("y").toFloatArray()[2]);
            assertEquals(ranBefore + 1, second.runs.get(), "only the new request ran the second segment");
        }
    }

    /** Once armed, the first run waits at the gate until the test opens it. */
    static final class Gate extends DelegatingBackend {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch open = new CountDownLatch(1);
        final CountDownLatch left = new CountDownLatch(1);
        private volatile boolean armed;

        Gate(DeviceBackend delegate) {
            super(delegate);
        }

        void arm() {
            armed = true;
        }

        @Override
        public CompiledSegment compile(Segment segment) {
            return new WrappedSegment(segment) {
                @Override
                public Map<String, Tensor> run(Map<String, Tensor> in) {
                    if (armed && entered.getCount() > 0) {
                        entered.countDown();
                        try {
                            open.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt(); // keep the caller's flag for the engine to see
                        }
                        try {
                            return inner.run(in);
                        } finally {
                            left.countDown();
                        }
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

    /** Counts segment runs. */
    static final class Counting extends DelegatingBackend {
        final AtomicInteger runs = new AtomicInteger();

        Counting(DeviceBackend delegate) {
            super(delegate);
        }

        @Override
        public CompiledSegment compile(Segment segment) {
            return new WrappedSegment(segment) {
                @Override
                public Map<String, Tensor> run(Map<String, Tensor> in) {
                    runs.incrementAndGet();
                    return inner.run(in);
                }

                @Override
                public CompletableFuture<Map<String, Tensor>> execute(Map<String, Tensor> in) {
                    runs.incrementAndGet();
                    return inner.execute(in);
                }
            };
        }
    }
}
