package org.sparoa.backend.cuda.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The committed PTX: every kernel the host launches is in it, it states a PTX ISA a CUDA 12.2 driver (JetPack 6)
 * loads, and, where the CUDA toolkit is installed, {@code ptxas} accepts it for Orin (sm_87) and H100/H200 (sm_90)
 * and it is what {@code build-ptx.sh} makes of the committed {@code .cu} today (not stale).
 */
class PtxTest {
    private static final Pattern VERSION = Pattern.compile("(?m)^\\.version (\\d+)\\.(\\d+)$");

    private static String ptx() {
        byte[] b = Ptx.image();
        assertEquals(0, b[b.length - 1], "the image handed to cuModuleLoadData is NUL-terminated");
        return new String(b, 0, b.length - 1, StandardCharsets.UTF_8);
    }

    @Test
    void everyKernelIsAnEntryOfThePtx() {
        String ptx = ptx();
        for (Kernel k : Kernel.values()) {
            assertTrue(ptx.contains(".visible .entry " + k.entry() + "("), k.entry() + " is not in the PTX");
        }
    }

    @Test
    void ptxIsaIsOneCuda12Point2DriversLoad() {
        Matcher m = VERSION.matcher(ptx());
        assertTrue(m.find(), "no .version line");
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        // CUDA 12.2 drivers load PTX ISA up to 8.2
        assertTrue(major < 8 || (major == 8 && minor <= 2), "PTX ISA " + major + "." + minor + " is newer than 8.2");
        assertTrue(ptx().contains(".target sm_80"), "compiled for compute_80 (Ampere and newer)");
    }

    @Test
    void ptxasAcceptsItForOrinAndHopper() throws Exception {
        Path bin = toolkit();
        Path ptx = Files.createTempFile("sparoa", ".ptx");
        try {
            Files.writeString(ptx, ptx());
            for (String sm : List.of("sm_87", "sm_90")) {
                Path cubin = Files.createTempFile("sparoa-" + sm, ".cubin");
                try {
                    Result r = exec(bin.resolve("ptxas").toString(), "-arch=" + sm, "-o", cubin.toString(), ptx.toString());
                    assertEquals(0, r.code(), "ptxas " + sm + ": " + r.output());
                } finally {
                    Files.deleteIfExists(cubin);
                }
            }
        } finally {
            Files.deleteIfExists(ptx);
        }
    }

    @Test
    void committedPtxIsWhatTheSourceCompilesTo() throws Exception {
        Path bin = toolkit();
        Path src = Path.of(System.getProperty("sparoa.cuda.source", "src/main/cuda"));
        Path fresh = Files.createTempFile("sparoa-fresh", ".ptx");
        try {
            Result r = exec(bin.resolve("nvcc").toString(), "-ptx", "-arch=compute_80", "-O3", "-o", fresh.toString(),
                    src.resolve("sparoa_kernels.cu").toString());
            assertEquals(0, r.code(), "nvcc: " + r.output());
            assertEquals(body(ptx()), body(Files.readString(fresh)),
                    "the committed PTX is stale: run src/main/cuda/build-ptx.sh");
        } finally {
            Files.deleteIfExists(fresh);
        }
    }

    /** The PTX without its comment header and .version line (which build-ptx.sh rewrites). */
    private static String body(String ptx) {
        StringBuilder sb = new StringBuilder();
        for (String line : ptx.split("\n")) {
            if (!line.startsWith("//") && !line.startsWith(".version")) {
                sb.append(line).append('\n');
            }
        }
        return sb.toString();
    }

    private static Path toolkit() {
        List<Path> candidates = new ArrayList<>();
        String configured = System.getProperty("sparoa.cuda.bin");
        if (configured != null) {
            candidates.add(Path.of(configured));
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String p : path.split(java.io.File.pathSeparator)) {
                candidates.add(Path.of(p));
            }
        }
        for (Path c : candidates) {
            if (Files.isExecutable(c.resolve("ptxas")) && Files.isExecutable(c.resolve("nvcc"))) {
                return c;
            }
        }
        assumeTrue(false, "no CUDA toolkit (nvcc, ptxas) on this machine: the committed PTX is used unchecked");
        return null;
    }

    private record Result(int code, String output) {
    }

    private static Result exec(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + String.join(" ", cmd));
        return new Result(p.exitValue(), out);
    }
}
