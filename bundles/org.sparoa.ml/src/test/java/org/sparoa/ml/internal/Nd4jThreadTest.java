package org.sparoa.ml.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.Test;

class Nd4jThreadTest {

    @Test
    void workFromManyCallerThreadsRunsOnOneThreadUnderTheBundlesClassLoader() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try (Nd4jThread nd4j = new Nd4jThread()) {
            Thread first = nd4j.call(Thread::currentThread);
            for (int i = 0; i < 8; i++) {
                Thread caller = callers.submit(() -> {
                    Thread ran = nd4j.call(Thread::currentThread);
                    assertNotSame(Thread.currentThread(), ran);
                    assertSame(ContextLoader.bundleLoader(),
                            nd4j.call(() -> Thread.currentThread().getContextClassLoader()));
                    return ran;
                }).get();
                assertSame(first, caller, "every call ran on the same thread");
            }
            assertEquals("sparoa-nd4j", first.getName());
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void aCallFromTheThreadItselfRunsInPlaceAndFailuresReachTheCallerUnwrapped() {
        try (Nd4jThread nd4j = new Nd4jThread()) {
            assertEquals(7, nd4j.call(() -> nd4j.call(() -> 7)), "nested call, no deadlock");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> nd4j.call(() -> {
                throw new IllegalArgumentException("bad step");
            }));
            assertEquals("bad step", e.getMessage());
        }
    }

    @Test
    void anInterruptedCallerWaitsForTheStepAndKeepsItsInterrupt() throws Exception {
        try (Nd4jThread nd4j = new Nd4jThread()) {
            CompletableFuture<Boolean> started = new CompletableFuture<>();
            CompletableFuture<Boolean> release = new CompletableFuture<>();
            Thread caller = new Thread(() -> {
                int result = nd4j.call(() -> {
                    started.complete(true);
                    return release.join() ? 1 : 0;
                });
                started.obtrudeValue(result == 1 && Thread.currentThread().isInterrupted());
            });
            caller.start();
            started.get();
            caller.interrupt();
            release.complete(true);
            caller.join();
            assertTrue(started.get(), "the step's result came back and the interrupt was kept");
        }
    }

    @Test
    void afterTheRuntimeStopsACallSaysSo() {
        Nd4jThread nd4j = new Nd4jThread();
        nd4j.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> nd4j.call(() -> 1));
        assertTrue(e.getMessage().contains("org.sparoa.ml"), e.getMessage());
    }
}
