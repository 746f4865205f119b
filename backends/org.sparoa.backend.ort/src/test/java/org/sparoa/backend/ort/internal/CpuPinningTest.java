package org.sparoa.backend.ort.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.sparoa.affinity.CpuSet;
import org.sparoa.affinity.ThreadAffinity;
import org.sparoa.api.CompiledSegment;
import org.sparoa.api.DataType;
import org.sparoa.api.Tensor;

/** {@code cpus}: the backend's run threads and ONNX Runtime's intra-op threads on the CPUs it names, and only there. */
class CpuPinningTest {

    private static boolean linux() {
        return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux");
    }

    @Test
    void affinitiesGiveEveryPoolThreadTheWholeSetCountedFromOne() {
        assertEquals("1,2;1,2", OrtCpuBackend.intraOpAffinities(CpuSet.parse("0-1"), 3));
        assertEquals("4", OrtCpuBackend.intraOpAffinities(CpuSet.of(3), 2));
    }

    /** The kernel's record of every thread of this process: its name (15 characters at most) and its CPU list. */
    private static Map<String, List<String>> cpusByThreadName() throws IOException {
        Map<String, List<String>> byName = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm")).trim();
                    String cpus = Files.readAllLines(task.resolve("status")).stream()
                            .filter(l -> l.startsWith("Cpus_allowed_list:")).findFirst().orElseThrow()
                            .substring("Cpus_allowed_list:".length()).trim();
                    byName.computeIfAbsent(name, k -> new java.util.ArrayList<>()).add(cpus);
                } catch (java.nio.file.NoSuchFileException ended) {
                    // a thread that ended while listed
                }
            }
        }
        return byName;
    }

    private static long threadsOn(Map<String, List<String>> byName, String cpus) {
        return byName.values().stream().flatMap(List::stream).filter(cpus::equals).count();
    }

    @Test
    void runThreadsAndIntraOpThreadsRunOnTheBackendsCpusOnly() throws Exception {
        assumeTrue(linux(), "CPU affinity is Linux's; this is " + System.getProperty("os.name"));
        int[] mine = ThreadAffinity.ofProcess().ids();
        CpuSet last = CpuSet.of(mine[mine.length - 1]);
        long before = threadsOn(cpusByThreadName(), last.toString());
        float[] x = new float[4 * 8 * 8];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 5 - 2;
        }
        ByteBuffer b = ByteBuffer.allocate(4 * x.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(x);
        try (OrtCpuBackend backend = new OrtCpuBackend("pin", 3, 1, OrtCpuBackend.Spinning.BOUNDED,
                OrtCpuBackend.HandOver.DIRECT, 0, OrtCpuBackend.DEFAULT_SPIN_MICROS, last);
             CompiledSegment s = backend.compileWithoutWarmup(JavaPathWarmup.wholeModel())) {
            CpuSet callers = ThreadAffinity.ofCurrentThread();
            Map<String, Tensor> out = s.run(Map.of("X", Tensor.wrap(DataType.FLOAT, new long[] {1, 4, 8, 8}, b)));
            assertEquals(2f, out.get("N").toFloatArray()[0], "the pinned run computes Neg");
            assertEquals(callers, ThreadAffinity.ofCurrentThread(), "a synchronous caller gets its CPUs back");
            Map<String, Tensor> viaExecutor = s.execute(Map.of("X", Tensor.wrap(DataType.FLOAT,
                    new long[] {1, 4, 8, 8}, b))).join();
            assertEquals(1f, viaExecutor.get("N").toFloatArray()[1], "the run thread computes Neg");
            Map<String, List<String>> after = cpusByThreadName();
            assertEquals(List.of(last.toString()), after.get("sparoa-pin-1"), "the run thread: " + after);
            // the session's two pool threads (3 intra-op threads, the run thread being the third) join it there
            assertTrue(threadsOn(after, last.toString()) - before >= 3, "threads on CPU " + last + ": " + after);
            assertTrue(backend.state().detail().contains("on CPUs " + last), backend.state().detail());
        }
    }

    @Test
    void cpusThisProcessCannotUseAreRefusedByName() {
        assumeTrue(linux(), "CPU affinity is Linux's; this is " + System.getProperty("os.name"));
        assumeTrue(!ThreadAffinity.ofProcess().contains(1000), "this machine has over 1000 CPUs");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new OrtCpuBackend("pin", 1,
                1, OrtCpuBackend.Spinning.BOUNDED, OrtCpuBackend.HandOver.DIRECT, 0, 50, CpuSet.of(1000)));
        assertTrue(e.getMessage().startsWith("pin: cpus = 1000: CPU(s) 1000 are not among this process's CPUs"),
                e.getMessage());
    }
}
