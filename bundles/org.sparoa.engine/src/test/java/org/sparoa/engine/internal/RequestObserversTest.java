package org.sparoa.engine.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.PlanDescription;

/**
 * The observer thread wakes per batch of requests, not per request, parks while none come, wakes for the first
 * request after a quiet spell, and ends on close.
 */
class RequestObserversTest {
    private static InferenceResult result(long nanos) {
        return new InferenceResult(Map.of(), new PlanDescription("m", "greedy", null, List.of()), List.of(), nanos,
                Map.of());
    }

    @Test
    void aBurstOfRequestsIsDeliveredInFewBatchesInOrder() throws Exception {
        RequestObservers observers = new RequestObservers();
        CountDownLatch all = new CountDownLatch(100);
        AtomicInteger outOfOrder = new AtomicInteger();
        AtomicInteger last = new AtomicInteger(-1);
        observers.add(request -> {
            if (request.totalNanos() != last.get() + 1) {
                outOfOrder.incrementAndGet();
            }
            last.set((int) request.totalNanos());
            all.countDown();
        });
        try {
            for (int i = 0; i < 100; i++) {
                observers.publish("m", result(i));
            }
            assertTrue(all.await(30, TimeUnit.SECONDS), "delivered: " + (100 - all.getCount()));
            assertEquals(0, outOfOrder.get(), "requests reach the observer in the order they completed");
            // a wake-up per request, as before, would make this 100
            assertTrue(observers.batches() <= 10, "batches for a burst of 100: " + observers.batches());
            assertEquals(0, observers.dropped());
        } finally {
            observers.close();
        }
    }

    @Test
    void theFirstRequestAfterAQuietSpellWakesTheParkedThreadAndCloseEndsIt() throws Exception {
        RequestObservers observers = new RequestObservers();
        AtomicReference<Thread> thread = new AtomicReference<>();
        CountDownLatch first = new CountDownLatch(1);
        CountDownLatch second = new CountDownLatch(1);
        observers.add(request -> {
            thread.set(Thread.currentThread());
            (request.totalNanos() == 1 ? first : second).countDown();
        });
        observers.publish("m", result(1));
        assertTrue(first.await(30, TimeUnit.SECONDS), "first request delivered");
        Thread t = thread.get();
        // the thread parks for good once its queue is empty (not a timed wait: it would wake for nothing)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (t.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(Thread.State.WAITING, t.getState(), "parked without a timeout while no request comes");
        observers.publish("m", result(2));
        assertTrue(second.await(30, TimeUnit.SECONDS), "the request after the quiet spell is delivered");
        observers.close();
        t.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(t.isAlive(), "close ends the observer thread");
    }
}
