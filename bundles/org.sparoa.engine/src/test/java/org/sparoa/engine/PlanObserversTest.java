package org.sparoa.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparoa.api.CompletedRequest;
import org.sparoa.api.Model;
import org.sparoa.api.PlanObserver;
import org.sparoa.api.RandomInputs;
import org.sparoa.api.RunOptions;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.internal.OrtCpuBackend;

/**
 * Completed requests reach the {@link PlanObserver}s on the engine's observer thread, with the plan and segment
 * timings; an observer that throws or blocks costs requests nothing.
 */
class PlanObserversTest {
    private static OrtCpuBackend ort;
    private static LocalPlatform platform;
    private static Model model;
    private static Map<String, Tensor> inputs;

    @BeforeAll
    static void start() {
        ort = new OrtCpuBackend("ort-cpu", 1, 1);
        platform = LocalPlatform.of(ort);
        model = platform.models().load(null, TestModels.ppocr("ch_ppocr_mobile_v2.0_cls_infer.onnx"));
        inputs = RandomInputs.forModel(model, Map.of("x", new long[] {1, 3, 48, 192}), 3);
    }

    @AfterAll
    static void stop() {
        platform.close();
        ort.close();
    }

    /** Records what it is told and on which thread; counts down once per request. */
    static final class Recorder implements PlanObserver {
        final List<CompletedRequest> seen = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();
        final CountDownLatch latch;

        Recorder(int expected) {
            latch = new CountDownLatch(expected);
        }

        @Override
        public void completed(CompletedRequest request) {
            seen.add(request);
            threads.add(Thread.currentThread().getName());
            latch.countDown();
        }
    }

    @Test
    void everyCompletedRequestReachesTheObserversOffTheRequestThreadWithItsTimings() throws Exception {
        Recorder r = new Recorder(2);
        platform.addObserver(r);
        try {
            platform.inference().infer(model.id(), inputs, RunOptions.defaults());
            platform.inference().inferAsync(model.id(), inputs, RunOptions.defaults()).get(30, TimeUnit.SECONDS);
            assertTrue(r.latch.await(30, TimeUnit.SECONDS), "both requests observed: " + r.seen.size());
            for (CompletedRequest c : r.seen) {
                assertEquals(model.id(), c.modelId());
                assertFalse(c.plan().segments().isEmpty());
                assertEquals(c.plan().segments().size(), c.timings().size(), "a timing per segment");
                assertEquals("ort-cpu", c.timings().get(0).backendId());
                assertTrue(c.totalNanos() > 0 && c.timings().get(0).millis() > 0);
            }
            r.threads.forEach(t -> assertNotEquals(Thread.currentThread().getName(), t));
            assertTrue(r.threads.stream().allMatch(t -> t.equals("sparoa-observers")), r.threads.toString());
        } finally {
            platform.removeObserver(r);
        }
    }

    @Test
    void anObserverThatThrowsIsLoggedAndTheOthersAndTheRequestsGoOn() throws Exception {
        PlanObserver throwing = c -> {
            throw new IllegalStateException("observer bug");
        };
        Recorder r = new Recorder(3);
        platform.addObserver(throwing);
        platform.addObserver(r);
        try {
            for (int i = 0; i < 3; i++) {
                assertFalse(platform.inference().infer(model.id(), inputs, RunOptions.defaults()).outputs().isEmpty());
            }
            assertTrue(r.latch.await(30, TimeUnit.SECONDS), "the observer after the throwing one saw all three");
        } finally {
            platform.removeObserver(throwing);
            platform.removeObserver(r);
        }
    }

    @Test
    void anObserverThatBlocksLosesObservationsNotRequests() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        PlanObserver blocking = c -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        platform.addObserver(blocking);
        long droppedBefore = platform.observationsDropped();
        try {
            platform.inference().infer(model.id(), inputs, RunOptions.defaults());
            assertTrue(entered.await(30, TimeUnit.SECONDS), "the observer thread is held");
            // the queue holds 256; every request past that is dropped, and every request completes
            for (int i = 0; i < 300; i++) {
                platform.inference().infer(model.id(), inputs, RunOptions.defaults());
            }
            assertTrue(platform.observationsDropped() - droppedBefore >= 300 - 256,
                    "dropped: " + (platform.observationsDropped() - droppedBefore));
        } finally {
            release.countDown();
            platform.removeObserver(blocking);
        }
    }
}
