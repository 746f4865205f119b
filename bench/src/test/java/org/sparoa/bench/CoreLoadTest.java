package org.sparoa.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.sparoa.affinity.CpuSet;
import org.sparoa.affinity.CpuSetLoad;
import org.sparoa.affinity.ThreadAffinity;
import org.sparoa.api.Tensor;

/**
 * The live-load demonstration's other application: a process of its own, its load thread on the CPUs asked for,
 * seen there as another process's load, and gone once closed.
 */
class CoreLoadTest {

    private static final Path CLS = Path.of(System.getProperty("sparoa.models", "target/models"),
            "ch_ppocr_mobile_v2.0_cls_infer.onnx");

    private static Map<String, Tensor> inputs() {
        float[] x = new float[3 * 48 * 192];
        Random r = new Random(42);
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat();
        }
        return Map.of("x", Tensor.ofFloats(new long[] {1, 3, 48, 192}, x));
    }

    /** The CPUs each thread of process {@code pid} may use, by thread name, read from /proc. */
    private static List<String> threads(long pid) throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            return tasks.map(t -> {
                try {
                    String cpus = Files.readAllLines(t.resolve("status")).stream()
                            .filter(l -> l.startsWith("Cpus_allowed_list:")).findFirst().orElse("")
                            .substring("Cpus_allowed_list:".length()).trim();
                    return Files.readString(t.resolve("comm")).trim() + "@" + cpus;
                } catch (IOException e) {
                    return "gone";
                }
            }).toList();
        }
    }

    @Test
    void runsInAProcessOfItsOwnPinnedToItsCpusAndEndsWhenClosed() throws Exception {
        assumeTrue(ThreadAffinity.unavailableReason() == null, "pinning: " + ThreadAffinity.unavailableReason());
        assertTrue(Files.isRegularFile(CLS), "the build downloads PP-OCR cls to " + CLS);
        int[] mine = ThreadAffinity.ofProcess().ids();
        CpuSet last = CpuSet.of(mine[mine.length - 1]);
        CpuSetLoad.otherProcessesOn(last);
        CoreLoad load = CoreLoad.start(CLS, inputs(), last, 1, 120_000);
        long pid = load.pid();
        try {
            assertTrue(pid != ProcessHandle.current().pid(), "another process");
            assertTrue(threads(pid).contains("core-load-" + last + "-0@" + last), "its load thread on CPU " + last
                    + ": " + threads(pid));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            double others = CpuSetLoad.otherProcessesOn(last);
            while (others < 0.6 && System.nanoTime() < deadline) {
                Thread.sleep(100); // polling the condition; the reading moves on every 500 ms
                others = CpuSetLoad.otherProcessesOn(last);
            }
            assertTrue(others >= 0.6, "its load shows as another process's on CPU " + last + ": " + others);
        } finally {
            load.close();
        }
        assertTrue(load.runs() > 0, "runs: " + load.runs());
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the process ended");
    }

    @Test
    void cpusThisProcessCannotUseAreRefusedBeforeAnythingStarts() {
        assumeTrue(ThreadAffinity.unavailableReason() == null, "pinning: " + ThreadAffinity.unavailableReason());
        assumeTrue(!ThreadAffinity.ofProcess().contains(1000), "this machine has over 1000 CPUs");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CoreLoad.start(CLS, inputs(), CpuSet.of(1000), 1, 1000));
        assertTrue(e.getMessage().contains("1000"), e.getMessage());
    }
}
