package org.sparoa.backend.sparse.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.sparoa.affinity.CpuSet;
import org.sparoa.affinity.ThreadAffinity;

/**
 * {@code cpus}: a segment's work, its caller's share included, runs on the backend's CPUs; the caller gets its own
 * back.
 */
class CpuPinningTest {

    private static boolean linux() {
        return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux");
    }

    @Test
    void aSegmentsLoopsRunOnTheBackendsCpusAndTheCallerIsGivenItsOwnBack() {
        assumeTrue(linux(), "CPU affinity is Linux's; this is " + System.getProperty("os.name"));
        int[] mine = ThreadAffinity.ofProcess().ids();
        CpuSet last = CpuSet.of(mine[mine.length - 1]);
        CpuSet callers = ThreadAffinity.ofCurrentThread();
        SparseCpuBackend backend = new SparseCpuBackend(2, SparseCpuBackend.DEFAULT_DENSE_BELOW_SPARSITY,
                SparseCpuBackend.DEFAULT_SPIN_MICROS, last);
        try {
            Map<String, CpuSet> seen = new ConcurrentHashMap<>();
            CountDownLatch bothIn = new CountDownLatch(2);
            backend.runHere(parallel -> {
                // each chunk waits for the other: the caller takes one, the worker the other
                parallel.forRange(2, 1, (from, to) -> {
                    seen.put(Thread.currentThread().getName(), ThreadAffinity.ofCurrentThread());
                    bothIn.countDown();
                    try {
                        assertTrue(bothIn.await(30, TimeUnit.SECONDS), "the other chunk never started");
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                return Map.of();
            });
            assertEquals(2, seen.size(), "the caller and one worker each took a chunk: " + seen);
            assertTrue(seen.containsKey(Thread.currentThread().getName()), "the caller took a chunk: " + seen);
            Map<String, CpuSet> onMain = new ConcurrentHashMap<>();
            backend.submit(parallel -> {
                onMain.put(Thread.currentThread().getName(), ThreadAffinity.ofCurrentThread());
                return Map.of();
            }).join();
            assertEquals(Map.of("sparse-cpu-main", last), onMain);
            assertEquals(Set.of(last), Set.copyOf(seen.values()), "every thread of the loop on CPU " + last);
            assertEquals(callers, ThreadAffinity.ofCurrentThread(), "the caller's CPUs back after the segment");
            assertTrue(backend.state().detail().endsWith("on CPUs " + last), backend.state().detail());
        } finally {
            backend.close();
        }
    }

    @Test
    void theUtilisationOfAPinnedBackendIsAnotherProcesssLoadOnItsCpus() throws Exception {
        assumeTrue(linux(), "CPU affinity is Linux's; this is " + System.getProperty("os.name"));
        assumeTrue(java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/bin/taskset")),
                "the test pins its load with taskset");
        int[] mine = ThreadAffinity.ofProcess().ids();
        CpuSet last = CpuSet.of(mine[mine.length - 1]);
        SparseCpuBackend backend = new SparseCpuBackend(1, SparseCpuBackend.DEFAULT_DENSE_BELOW_SPARSITY,
                SparseCpuBackend.DEFAULT_SPIN_MICROS, last);
        Process spinner = new ProcessBuilder("/usr/bin/taskset", "-c", last.toString(), "sh", "-c",
                "while :; do :; done").start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            double utilisation = backend.state().utilisation();
            while (utilisation < 0.8 && System.nanoTime() < deadline) {
                Thread.sleep(50); // polling the condition; the reading moves on every 500 ms
                utilisation = backend.state().utilisation();
            }
            assertTrue(utilisation >= 0.8, "a shell spinning on CPU " + last + " should show as most of it, read "
                    + utilisation);
        } finally {
            spinner.destroyForcibly().waitFor();
            backend.close();
        }
    }

    @Test
    void cpusThisProcessCannotUseAreRefusedByName() {
        assumeTrue(linux(), "CPU affinity is Linux's; this is " + System.getProperty("os.name"));
        assumeTrue(!ThreadAffinity.ofProcess().contains(1000), "this machine has over 1000 CPUs");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SparseCpuBackend(1,
                SparseCpuBackend.DEFAULT_DENSE_BELOW_SPARSITY, 0, CpuSet.of(1000)));
        assertTrue(e.getMessage().startsWith("sparse-cpu: cpus = 1000: CPU(s) 1000 are not among"), e.getMessage());
    }
}
