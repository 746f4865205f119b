package org.sparoa.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparoa.api.Model;
import org.sparoa.api.RunOptions;
import org.sparoa.api.SparoaException;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.PlainOrtSession;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.backend.sparse.internal.SparseCpuBackend;
import org.sparoa.engine.LocalPlatform;
import org.sparoa.api.RandomInputs;
import org.sparoa.onnx.fuzz.Choices;
import org.sparoa.onnx.fuzz.ModelMutator;
import org.sparoa.onnx.fuzz.SeedCorpus;

/**
 * The platform keeps serving after hostile models: the importer fuzzer's mutated models (the same corpus and mutator
 * as {@code BoundedFuzzTest}) are loaded into a platform with both real backends, and each one that loads is run; after
 * every one of them the PP-OCR classifier is loaded anew and must answer as plain ONNX Runtime does. Then the hostile
 * files of issue 11 ({@code /dev/zero}, a FIFO, a 2 GB file). It prints the process's RSS (VmRSS) and heap after GC
 * before and after; it asserts what does not depend on timing: every hostile input is refused with the platform's
 * own exception, and refusing one allocates little (what the refusal saves is checked before the allocation).
 * {@code -Dsparoa.hostile.models=N} (default 40) sets how many mutated models.
 */
class HostileModelsKeepServingTest {
    private static final String CLS = "ch_ppocr_mobile_v2.0_cls_infer.onnx";
    /** Far below what any of the hostile inputs would take if read or allocated as they claim (GBs). */
    private static final long REFUSAL_ALLOCATION_BOUND = 256L << 20;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @TempDir
    Path dir;

    @Test
    void aRealModelLoadsAndAnswersRightAfterEveryHostileOne() throws Exception {
        int count = Integer.getInteger("sparoa.hostile.models", 40);
        Path cls = Path.of(System.getProperty("sparoa.models", "target/models"), CLS);
        byte[] clsBytes = Files.readAllBytes(cls);
        Map<String, Tensor> input = RandomInputs.forModel(org.sparoa.onnx.OnnxModels.fromBytes("cls", clsBytes, cls),
                Map.of("x", new long[] {1, 3, 48, 192}), 11);
        Map<String, Tensor> expected;
        try (PlainOrtSession ort = PlainOrtSession.open(clsBytes, 1)) {
            expected = ort.run(input);
        }
        List<SeedCorpus.Seed> seeds = SeedCorpus.models();
        OrtCpuBackend ort = new OrtCpuBackend("ort-cpu", 1, 1);
        SparseCpuBackend sparse = new SparseCpuBackend(1, SparseCpuBackend.DEFAULT_DENSE_BELOW_SPARSITY);
        Map<String, Integer> outcomes = new TreeMap<>();
        long maxRefusalAllocation = 0;
        try (LocalPlatform platform = LocalPlatform.of(ort, sparse)) {
            serveRealModel(platform, cls, input, expected, "before the hostile models");
            String fresh = memory();
            for (int i = 0; i < count; i++) {
                SplittableRandom r = new SplittableRandom(i);
                byte[] hostile = ModelMutator.mutate(seeds.get(r.nextInt(seeds.size())).bytes(), Choices.of(r));
                Path file = dir.resolve("hostile-" + i + ".onnx");
                Files.write(file, hostile);
                long before = THREADS.getCurrentThreadAllocatedBytes();
                String outcome = loadAndRun(platform, file, "hostile model " + i);
                if (outcome.startsWith("refused")) {
                    maxRefusalAllocation = Math.max(maxRefusalAllocation,
                            THREADS.getCurrentThreadAllocatedBytes() - before);
                }
                outcomes.merge(outcome, 1, Integer::sum);
                serveRealModel(platform, cls, input, expected, "after hostile model " + i);
            }
            for (Path probe : hostileFiles()) {
                long before = THREADS.getCurrentThreadAllocatedBytes();
                String outcome = loadAndRun(platform, probe, probe.toString());
                long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
                assertTrue(outcome.startsWith("refused"), probe + ": " + outcome);
                assertTrue(allocated < (1L << 20), "refusing " + probe + " allocated " + allocated + " bytes");
                outcomes.merge("probe " + outcome, 1, Integer::sum);
                serveRealModel(platform, cls, input, expected, "after " + probe);
            }
            System.out.printf(Locale.ROOT, "hostile models: %d mutated models and %d hostile files, outcomes %s; the"
                    + " real model answered right after every one; most allocated by one refusal %.1f MiB%n"
                    + "  fresh (platform started, real model run): %s%n  after the hostile models and files:      %s%n",
                    count, hostileFiles().size(), outcomes, maxRefusalAllocation / 1048576.0, fresh, memory());
        } finally {
            ort.close();
            sparse.close();
        }
        assertTrue(maxRefusalAllocation < REFUSAL_ALLOCATION_BOUND, "a refusal allocated "
                + (maxRefusalAllocation >> 20) + " MiB");
        assertTrue(outcomes.keySet().stream().anyMatch(o -> o.startsWith("refused")), "outcomes: " + outcomes);
    }

    /** Loads the file as a model and runs it once if it loads; what happened, or a failure if it was not ours. */
    private static String loadAndRun(LocalPlatform platform, Path file, String what) {
        Model m;
        try {
            m = platform.models().load("hostile", file);
        } catch (SparoaException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), what + " refused without saying why");
            return "refused at load (" + e.getClass().getSimpleName() + ")";
        } catch (Throwable t) {
            throw new AssertionError(what + ": the platform failed with a foreign " + t, t);
        }
        try {
            platform.inference().infer(m.id(), RandomInputs.forModel(m, Map.of(), 1, 1L << 22), RunOptions.defaults());
            return "loaded and ran";
        } catch (SparoaException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), what + " refused without saying why");
            return "loaded, run refused (" + e.getClass().getSimpleName() + ")";
        } catch (Throwable t) {
            throw new AssertionError(what + " loaded, then its run failed with a foreign " + t, t);
        } finally {
            platform.models().unload(m.id());
        }
    }

    private static void serveRealModel(LocalPlatform platform, Path cls, Map<String, Tensor> input,
                                       Map<String, Tensor> expected, String when) {
        platform.models().unload("cls");
        platform.models().load("cls", cls);
        Map<String, Tensor> out = platform.inference().infer("cls", input, RunOptions.defaults()).outputs();
        assertTrue(Soak.matches(expected, out), "the real model answered wrong " + when);
    }

    /** Issue 11's hostile files: the endless /dev/zero, a FIFO nobody writes, a 2 GB file (sparse on disk). */
    private List<Path> hostileFiles() throws IOException, InterruptedException {
        List<Path> files = new ArrayList<>();
        files.add(Path.of("/dev/zero"));
        Path fifo = dir.resolve("fifo.onnx");
        if (!Files.exists(fifo)) {
            Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
            assertEquals(0, p.waitFor(), "mkfifo");
        }
        files.add(fifo);
        Path big = dir.resolve("big.onnx");
        if (!Files.exists(big)) {
            try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
                f.setLength(2L << 30);
            }
        }
        files.add(big);
        return files;
    }

    /**
     * RSS, heap after GC and committed heap; with {@code -XX:NativeMemoryTracking=summary} (e.g.
     * {@code -DargLine=-XX:NativeMemoryTracking=summary}) also the JVM's own native memory and the resident memory
     * outside it (ONNX Runtime, the C library's arenas).
     */
    private static String memory() throws InterruptedException {
        System.gc();
        java.lang.management.MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        Map<String, Long> categories = NativeMemory.committedByCategory();
        // G1 gives heap it shrank back to the system in the background, within seconds (NMT's "Java Heap" still counts
        // it until then): wait for that, at most 20 s, so that RSS is read after it
        long until = System.nanoTime() + 20_000_000_000L;
        while (categories.containsKey("Java Heap") && categories.get("Java Heap") > heap.getCommitted() + (1 << 20)
                && System.nanoTime() < until) {
            Thread.sleep(50);
            heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            categories = NativeMemory.committedByCategory();
        }
        Long nmt = categories.get("Total");
        long rss = ProcessMemory.rssBytes();
        StringBuilder largest = new StringBuilder();
        categories.entrySet().stream().filter(e -> !e.getKey().equals("Total"))
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(4)
                .forEach(e -> largest.append(String.format(Locale.ROOT, "; %s %.0f MiB", e.getKey(),
                        e.getValue() / 1048576.0)));
        return String.format(Locale.ROOT, "RSS %s, heap after GC %.0f MiB, heap committed %.0f MiB%s",
                ProcessMemory.rss(), heap.getUsed() / 1048576.0, heap.getCommitted() / 1048576.0,
                nmt == null ? "" : String.format(Locale.ROOT, ", JVM native memory (NMT) %.0f MiB, RSS outside it"
                        + " %.0f MiB%s", nmt / 1048576.0, (rss - nmt) / 1048576.0, largest));
    }
}
