package org.sparoa.backend.sparse.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.Test;

/** The worker team's loops: every index once, on several threads, inline where they must be, failures surfaced. */
class WorkerTeamTest {

    @Test
    void everyIndexRunsExactlyOnceAndTheWorkersTakeChunks() {
        try (WorkerTeam team = new WorkerTeam(3, 100_000, Thread.currentThread(), "t")) {
            Parallel parallel = new Parallel(team);
            Set<Thread> ran = ConcurrentHashMap.newKeySet();
            for (int n : new int[] {1, 2, 3, 7, 1000, 100_003}) {
                AtomicIntegerArray seen = new AtomicIntegerArray(n);
                for (int round = 0; round < 50; round++) {
                    parallel.forRange(n, 1, (from, to) -> {
                        ran.add(Thread.currentThread());
                        for (int i = from; i < to; i++) {
                            seen.incrementAndGet(i);
                        }
                    });
                }
                for (int i = 0; i < n; i++) {
                    assertEquals(50, seen.get(i), "index " + i + " of " + n);
                }
            }
            assertTrue(ran.size() > 1, "workers took chunks: " + ran);
        }
    }

    @Test
    void withoutSpinningNoLoopWaitsForAParkedWorker() {
        // spin 0: workers park after every loop, so each loop must wake them (a lost wake-up would hang here)
        try (WorkerTeam team = new WorkerTeam(2, 0, Thread.currentThread(), "t")) {
            Parallel parallel = new Parallel(team);
            AtomicIntegerArray sum = new AtomicIntegerArray(1);
            assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
                for (int round = 0; round < 20_000; round++) {
                    parallel.forRange(2, 1, (from, to) -> sum.addAndGet(0, to - from));
                }
            });
            assertEquals(40_000, sum.get(0));
        }
    }

    @Test
    void loopsInsideLoopsAndOffTheOwnerThreadRunInline() throws Exception {
        try (WorkerTeam team = new WorkerTeam(2, 100_000, Thread.currentThread(), "t")) {
            Parallel parallel = new Parallel(team);
            AtomicIntegerArray count = new AtomicIntegerArray(1);
            parallel.forRange(4, 1, (from, to) -> {
                for (int i = from; i < to; i++) {
                    parallel.forRange(10, 1, (a, b) -> {
                        assertEquals(0, a);
                        assertEquals(10, b);
                        count.addAndGet(0, b - a);
                    });
                }
            });
            assertEquals(40, count.get(0));
            Thread[] ranOn = new Thread[1];
            CompletableFuture.runAsync(() -> parallel.forRange(10, 1, (a, b) -> ranOn[0] = Thread.currentThread())).join();
            assertTrue(ranOn[0] != null && !ranOn[0].getName().startsWith("t-"), "ran on the calling thread: " + ranOn[0]);
        }
    }

    @Test
    void aFailureInAWorkersChunkReachesTheOwnerAndTheTeamGoesOn() {
        try (WorkerTeam team = new WorkerTeam(2, 100_000, Thread.currentThread(), "t")) {
            Parallel parallel = new Parallel(team);
            Thread owner = Thread.currentThread();
            IllegalStateException boom = new IllegalStateException("boom");
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () ->
                    parallel.forRange(2, 1, (from, to) -> {
                        if (Thread.currentThread() != owner || from == 1) {
                            throw boom;
                        }
                    }));
            assertSame(boom, thrown);
            AtomicIntegerArray after = new AtomicIntegerArray(1);
            parallel.forRange(100, 1, (from, to) -> after.addAndGet(0, to - from));
            assertEquals(100, after.get(0));
        }
    }
}
