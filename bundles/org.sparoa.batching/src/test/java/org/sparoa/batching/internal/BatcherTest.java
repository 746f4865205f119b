package org.sparoa.batching.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.InvalidInputException;
import org.sparoa.api.Tensor;
import org.sparoa.api.UnknownModelException;
import org.sparoa.batching.DeadlineExceededException;
import org.sparoa.batching.QueueFullException;
import org.sparoa.batching.QueueStats;

class BatcherTest {
    private final RowwiseService service = new RowwiseService();
    private BatchingEngine engine;

    @AfterEach
    void stop() {
        service.openGate();
        if (engine != null) {
            engine.close();
        }
    }

    private BatchingEngine start(BatchingEngine.Config config) {
        return start(config, Map.of());
    }

    private BatchingEngine start(BatchingEngine.Config config, Map<String, Object> props) {
        engine = new BatchingEngine(service, service, config, props);
        return engine;
    }

    private static float[] row(float seed) {
        return new float[] {seed, seed + 0.25f, -seed, seed * 2};
    }

    /** y = 3x + 1, written out here rather than taken from the service. */
    private static float[] expected(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = 3 * x[i] + 1;
        }
        return y;
    }

    private static float[] y(CompletableFuture<InferenceResult> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS).outputs().get("y").toFloatArray();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(1);
        }
    }

    @Test
    void aFullStaticBatchRunsAsOneCallAndEachRequestGetsItsOwnRows() throws Exception {
        start(TestConfig.staticBatches(4, 10_000_000));
        List<CompletableFuture<InferenceResult>> fs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            fs.add(engine.submit(RowwiseService.DYNAMIC, Map.of("x", RowwiseService.rows(row(i + 1))), 0));
        }
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(expected(row(i + 1)), y(fs.get(i)));
            assertArrayEquals(new long[] {1, 4}, fs.get(i).get().outputs().get("y").shape());
        }
        assertEquals(List.of(4L), service.callRows);
        assertEquals(1, engine.stats(RowwiseService.DYNAMIC).orElseThrow().batchSizeCounts()[4]);
    }

    @Test
    void aPartialBatchRunsWhenTheOldestRequestHasWaitedTheMaximumDelay() throws Exception {
        start(TestConfig.staticBatches(8, 20_000));
        List<CompletableFuture<InferenceResult>> fs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            fs.add(engine.submit(RowwiseService.DYNAMIC, Map.of("x", RowwiseService.rows(row(i))), 0));
        }
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(expected(row(i)), y(fs.get(i)));
        }
        assertEquals(List.of(3L), service.callRows);
    }

    @Test
    void requestsWithSeveralRowsAreSplitBackByTheirOwnRowCounts() throws Exception {
        start(TestConfig.staticBatches(6, 10_000_000));
        float[] two = new float[8];
        float[] three = new float[12];
        float[] one = row(7);
        for (int i = 0; i < two.length; i++) {
            two[i] = i * 0.5f;
        }
        for (int i = 0; i < three.length; i++) {
            three[i] = -i;
        }
        CompletableFuture<InferenceResult> a = engine.submit("dyn", Map.of("x", RowwiseService.rows(two)), 0);
        CompletableFuture<InferenceResult> b = engine.submit("dyn", Map.of("x", RowwiseService.rows(three)), 0);
        CompletableFuture<InferenceResult> c = engine.submit("dyn", Map.of("x", RowwiseService.rows(one)), 0);
        assertArrayEquals(expected(two), y(a));
        assertArrayEquals(expected(three), y(b));
        assertArrayEquals(expected(one), y(c));
        assertArrayEquals(new long[] {3, 4}, b.get().outputs().get("y").shape());
        assertEquals(List.of(6L), service.callRows);
    }

    @Test
    void queuedRequestsRunInArrivalOrder() throws Exception {
        start(TestConfig.staticBatches(3, 0));
        Semaphore gate = service.closeGate();
        CompletableFuture<InferenceResult> first = engine.submit("dyn", Map.of("x", RowwiseService.rows(row(0))), 0);
        await(() -> service.running.get() == 1, "the first request to start");
        List<CompletableFuture<InferenceResult>> fs = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            fs.add(engine.submit("dyn", Map.of("x", RowwiseService.rows(row(i))), 0));
        }
        gate.release(100);
        service.openGate();
        assertArrayEquals(expected(row(0)), y(first));
        for (int i = 1; i <= 6; i++) {
            assertArrayEquals(expected(row(i)), y(fs.get(i - 1)), "request " + i);
        }
        assertEquals(List.of(1L, 3L, 3L), service.callRows);
    }

    @Test
    void aFullQueueRefusesAtOnceAndCountsTheRefusal() throws Exception {
        start(TestConfig.staticBatches(1, 0).withCapacity(2));
        service.closeGate();
        CompletableFuture<InferenceResult> running = engine.submit("dyn", Map.of("x", RowwiseService.rows(row(0))), 0);
        await(() -> service.running.get() == 1, "the first request to start");
        CompletableFuture<InferenceResult> q1 = engine.submit("dyn", Map.of("x", RowwiseService.rows(row(1))), 0);
        CompletableFuture<InferenceResult> q2 = engine.submit("dyn", Map.of("x", RowwiseService.rows(row(2))), 0);
        QueueFullException full = assertThrows(QueueFullException.class,
                () -> engine.submit("dyn", Map.of("x", RowwiseService.rows(row(3))), 0));
        assertTrue(full.getMessage().contains("queue of model dyn is full"), full.getMessage());
        assertTrue(full.retryAfterMillis() >= 1);
        service.openGate();
        assertArrayEquals(expected(row(0)), y(running));
        assertArrayEquals(expected(row(1)), y(q1));
        assertArrayEquals(expected(row(2)), y(q2));
        QueueStats s = engine.stats("dyn").orElseThrow();
        assertEquals(3, s.accepted());
        assertEquals(1, s.rejected());
        assertEquals(3, s.succeeded());
    }

    @Test
    void aRequestWhoseDeadlinePassesIsAnsweredWithATimeoutOnceAndItsLateResultIsDropped() throws Exception {
        start(TestConfig.staticBatches(1, 0));
        service.closeGate();
        CompletableFuture<InferenceResult> slow = engine.submit("dyn", Map.of("x", RowwiseService.rows(row(0))), 50);
        CompletableFuture<InferenceResult> queued = engine.submit("dyn", Map.of("x", RowwiseService.rows(row(1))), 50);
        ExecutionException e = assertThrows(ExecutionException.class, () -> slow.get(10, TimeUnit.SECONDS));
        assertInstanceOf(DeadlineExceededException.class, e.getCause());
        ExecutionException e2 = assertThrows(ExecutionException.class, () -> queued.get(10, TimeUnit.SECONDS));
        assertInstanceOf(DeadlineExceededException.class, e2.getCause());
        service.openGate();
        await(() -> engine.stats("dyn").orElseThrow().depth() == 0 && service.running.get() == 0, "the queue to drain");
        QueueStats s = engine.stats("dyn").orElseThrow();
        assertEquals(2, s.expired());
        assertEquals(0, s.succeeded());
        // the expired queued request never ran: only the first reached the service
        assertEquals(List.of(1L), service.callRows);
    }

    /** One request of 40 ms against a 50 ms objective: a second one queued behind it could only be answered late. */
    private CompletableFuture<InferenceResult> oneRequestHeldAfterAFortyMillisecondOne(boolean shed) throws Exception {
        start(TestConfig.staticBatches(1, 0).withShedLate(shed));
        service.callNanos = TimeUnit.MILLISECONDS.toNanos(40);
        assertArrayEquals(expected(row(0)), y(engine.submit("dyn", Map.of("x", RowwiseService.rows(row(0))), 0)));
        service.closeGate();
        CompletableFuture<InferenceResult> held = engine.submit("dyn", Map.of("x", RowwiseService.rows(row(1))), 0);
        await(() -> service.running.get() == 1, "the second request to start");
        return held;
    }

    @Test
    void withShedLateARequestTheQueuedWorkWouldMakeLateIsRefusedAtOnce() throws Exception {
        CompletableFuture<InferenceResult> held = oneRequestHeldAfterAFortyMillisecondOne(true);
        QueueFullException late = assertThrows(QueueFullException.class,
                () -> engine.submit("dyn", Map.of("x", RowwiseService.rows(row(2))), 0));
        assertTrue(late.getMessage().contains("model dyn cannot answer within its 50 ms objective"), late.getMessage());
        assertTrue(late.retryAfterMillis() >= 1);
        service.openGate();
        assertArrayEquals(expected(row(1)), y(held));
        QueueStats s = engine.stats("dyn").orElseThrow();
        assertEquals(1, s.rejected());
        assertEquals(2, s.succeeded());
        assertEquals(List.of(1L, 1L), service.callRows);
    }

    @Test
    void withoutShedLateTheSameRequestIsQueuedAndAnsweredLate() throws Exception {
        CompletableFuture<InferenceResult> held = oneRequestHeldAfterAFortyMillisecondOne(false);
        CompletableFuture<InferenceResult> queued = engine.submit("dyn", Map.of("x", RowwiseService.rows(row(2))), 0);
        service.openGate();
        assertArrayEquals(expected(row(1)), y(held));
        assertArrayEquals(expected(row(2)), y(queued));
        assertEquals(0, engine.stats("dyn").orElseThrow().rejected());
    }

    @Test
    void withShedLateAQueuedRequestWhoseBatchWouldEndPastTheObjectiveIsDroppedUncomputed() throws Exception {
        start(TestConfig.staticBatches(1, 0).withShedLate(true));
        // a fast call first, so that the curve knows the model and the next one is admitted behind a running call
        assertArrayEquals(expected(row(0)), y(engine.submit("dyn", Map.of("x", RowwiseService.rows(row(0))), 0)));
        service.closeGate();
        CompletableFuture<InferenceResult> held = engine.submit("dyn", Map.of("x", RowwiseService.rows(row(1))), 0);
        await(() -> service.running.get() == 1, "the second request to start");
        long queuedAt = System.nanoTime();
        CompletableFuture<InferenceResult> waiting = engine.submit("dyn", Map.of("x", RowwiseService.rows(row(2))), 0);
        await(() -> System.nanoTime() - queuedAt > TimeUnit.MILLISECONDS.toNanos(60), "the objective to pass");
        service.openGate();
        assertArrayEquals(expected(row(1)), y(held));
        ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(10, TimeUnit.SECONDS));
        assertInstanceOf(DeadlineExceededException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("past the 50 ms objective (shedLate)"), e.getCause().getMessage());
        await(() -> service.running.get() == 0, "the service to be idle");
        QueueStats s = engine.stats("dyn").orElseThrow();
        assertEquals(1, s.expired());
        assertEquals(2, s.succeeded());
        // the dropped request never reached the service
        assertEquals(List.of(1L, 1L), service.callRows);
    }

    @Test
    void whenOneBatchAloneWouldBreakTheObjectiveShedLateComputesRatherThanDropsEverything() throws Exception {
        start(TestConfig.staticBatches(1, 0));
        service.callNanos = TimeUnit.MILLISECONDS.toNanos(60);
        service.closeGate();
        CompletableFuture<InferenceResult> held = engine.submit("dyn", Map.of("x", RowwiseService.rows(row(1))), 0);
        await(() -> service.running.get() == 1, "the first request to start");
        CompletableFuture<InferenceResult> queued = engine.submit("dyn", Map.of("x", RowwiseService.rows(row(2))), 0);
        engine.modified(TestConfig.staticBatches(1, 0).withShedLate(true), Map.of());
        service.openGate();
        // the first run teaches the curve that one row takes 60 ms, more than the 50 ms objective
        assertArrayEquals(expected(row(1)), y(held));
        assertArrayEquals(expected(row(2)), y(queued));
        assertEquals(0, engine.stats("dyn").orElseThrow().expired());
    }

    @Test
    void shedLateIsAPerModelSettingThatTakesOnlyTrueOrFalse() {
        start(TestConfig.adaptive(8), Map.of("model.dyn.shedLate", "true"));
        assertTrue(engine.settings("dyn").shedLate());
        assertTrue(!engine.settings("other").shedLate());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> new BatchingEngine(service, service, TestConfig.adaptive(8), Map.of("model.dyn.shedLate", "yes")));
        assertTrue(bad.getMessage().contains("model.dyn.shedLate = 'yes'"), bad.getMessage());
        assertTrue(bad.getMessage().contains("true or false"), bad.getMessage());
    }

    @Test
    void aBadRequestInABatchFailsAloneAndTheOthersAreAnswered() throws Exception {
        start(TestConfig.staticBatches(3, 10_000_000));
        CompletableFuture<InferenceResult> a = engine.submit("dyn", Map.of("x", RowwiseService.rows(row(1))), 0);
        CompletableFuture<InferenceResult> bad = engine.submit("dyn",
                Map.of("x", RowwiseService.rows(1, Float.NaN, 2, 3)), 0);
        CompletableFuture<InferenceResult> c = engine.submit("dyn", Map.of("x", RowwiseService.rows(row(3))), 0);
        assertArrayEquals(expected(row(1)), y(a));
        assertArrayEquals(expected(row(3)), y(c));
        ExecutionException e = assertThrows(ExecutionException.class, () -> bad.get(10, TimeUnit.SECONDS));
        assertInstanceOf(InvalidInputException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("NaN"));
    }

    @Test
    void requestsThatDoNotFitTheModelAreRefusedBeforeTheyAreQueued() {
        start(TestConfig.staticBatches(4, 1000));
        InvalidInputException wrongWidth = assertThrows(InvalidInputException.class,
                () -> engine.submit("dyn", Map.of("x", Tensor.ofFloats(new long[] {1, 3}, new float[3])), 0));
        assertTrue(wrongWidth.getMessage().contains("input 'x' of dyn has shape"), wrongWidth.getMessage());
        InvalidInputException wrongName = assertThrows(InvalidInputException.class,
                () -> engine.submit("dyn", Map.of("z", RowwiseService.rows(row(1))), 0));
        assertTrue(wrongName.getMessage().contains("has no input 'z'"), wrongName.getMessage());
        assertThrows(UnknownModelException.class,
                () -> engine.submit("nope", Map.of("x", RowwiseService.rows(row(1))), 0));
        assertTrue(service.callRows.isEmpty());
    }

    @Test
    void aModelFixedAtOneRowIsNeverBatchedButOverlapsTwoRequests() throws Exception {
        start(TestConfig.staticBatches(8, 10_000));
        Semaphore gate = service.closeGate();
        List<CompletableFuture<InferenceResult>> fs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            fs.add(engine.submit(RowwiseService.FIXED, Map.of("x", RowwiseService.rows(row(i))), 0));
        }
        await(() -> service.running.get() == 2, "two requests to run at once");
        gate.release(100);
        service.openGate();
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(expected(row(i)), y(fs.get(i)));
        }
        assertEquals(List.of(1L, 1L, 1L, 1L), service.callRows);
        assertEquals(2, service.maxRunning.get());
    }

    @Test
    void perModelSettingsOverrideTheDefaults() {
        start(TestConfig.staticBatches(8, 1000), Map.of("model.dyn.maxBatchSize", "2", "model.dyn.mode", "none",
                "model.a.b.sloMillis", "7.5"));
        assertEquals(2, engine.settings("dyn").maxBatch());
        assertEquals(org.sparoa.batching.BatchMode.NONE, engine.settings("dyn").mode());
        assertEquals(7.5, engine.settings("a.b").sloMillis());
        assertEquals(8, engine.settings("other").maxBatch());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> SettingsParser.perModel(Map.of("model.dyn.maxBatchSize", "zero"), engine.settings("x")));
        assertTrue(bad.getMessage().contains("model.dyn.maxBatchSize"), bad.getMessage());
    }

    @Test
    void underConcurrentLoadEveryRequestIsAnsweredExactlyOnceWithItsOwnRows() throws Exception {
        start(new TestConfig("adaptive", 8, 500, 50, 10_000, 1, 30_000));
        int threads = 8;
        int perThread = 300;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Integer>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int seed = t;
            done.add(pool.submit(() -> {
                Random rnd = new Random(seed);
                int ok = 0;
                for (int i = 0; i < perThread; i++) {
                    float[] x = row(rnd.nextInt(1000) / 8f);
                    InferenceResult r = i % 2 == 0 ? engine.infer("dyn", Map.of("x", RowwiseService.rows(x)), 0)
                            : engine.submit("dyn", Map.of("x", RowwiseService.rows(x)), 0).get(10, TimeUnit.SECONDS);
                    assertArrayEquals(expected(x), r.outputs().get("y").toFloatArray());
                    ok++;
                }
                return ok;
            }));
        }
        int ok = 0;
        for (Future<Integer> f : done) {
            ok += f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(threads * perThread, ok);
        QueueStats s = engine.stats("dyn").orElseThrow();
        assertEquals(threads * perThread, s.accepted());
        assertEquals(threads * perThread, s.succeeded());
        assertEquals(0, s.failed() + s.expired());
        long rows = service.callRows.stream().mapToLong(Long::longValue).sum();
        assertEquals(threads * perThread, rows, "every request computed exactly once");
    }
}
