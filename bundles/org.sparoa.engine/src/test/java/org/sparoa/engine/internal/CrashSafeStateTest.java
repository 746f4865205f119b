package org.sparoa.engine.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * State under {@code ${karaf.data}/sparoa/} survives a kill -9 during a write, and a corrupt or foreign file is set
 * aside and rebuilt instead of stopping the platform.
 */
class CrashSafeStateTest {
    /** Kills per run of the test; {@code -Dsparoa.crash.kills=1000} for a long run. */
    private static final int KILLS = Integer.getInteger("sparoa.crash.kills", 12);

    @Test
    void everyRestartAfterAKillDuringAWriteFindsACompleteGeneration(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cost-profiles.tsv");
        SplittableRandom random = new SplittableRandom(11);
        int lastSeen = -1;
        int midWrite = 0;
        for (int kill = 0; kill < KILLS; kill++) {
            int start = lastSeen + 1;
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), CostProfileWriterMain.class.getName(),
                    file.toString(), Integer.toString(start)).redirectErrorStream(true).start();
            // wait until it has saved a random number of generations, then kill it mid-stream (SIGKILL on Linux)
            int saves = 1 + random.nextInt(40);
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (int i = 0; i < saves; i++) {
                    String line = out.readLine();
                    assertTrue(line != null && line.matches("\\d+"), "writer output: " + line);
                }
                p.destroyForcibly();
                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            }
            midWrite += files(dir).size() > 1 ? 1 : 0; // a temporary file beside it: killed during a write
            CostProfileStore restarted = new CostProfileStore(file);
            int entries = restarted.size();
            assertTrue(entries >= start + saves, "at least the last printed generation: " + entries);
            double g = restarted.get("sparse-cpu", "Conv|sig0|" + "x".repeat(200)).orElseThrow();
            assertEquals(entries, (int) g + 1, "one whole generation, never a mix");
            for (int i = 0; i < entries; i++) {
                assertEquals(g, restarted.get("sparse-cpu", "Conv|sig" + i + "|" + "x".repeat(200)).orElseThrow());
            }
            assertEquals(List.of(file), files(dir), "no temporary or set-aside file left after a restart");
            lastSeen = (int) g;
        }
        System.out.println("CrashSafeStateTest: " + KILLS + " kill -9 of a writer, " + midWrite + " of them during a"
                + " write (a temporary file left); every restart found one whole generation");
    }

    @Test
    void aCorruptOrForeignFileIsSetAsideAndRebuilt(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("cost-profiles.tsv");
        for (String bad : List.of("not ours\n", CostProfileStore.HEADER + "\nsparse-cpu\tNaN\tConv|a\n",
                CostProfileStore.HEADER + "\nsparse-cpu\t-3.0\tConv|a\n", CostProfileStore.HEADER + "\ntruncated",
                "\u0000\u0001\u00ff",
                // version 1: measured with a fresh direct buffer per output and run, so not to be trusted
                "# sparoa cost profiles v1: backend<TAB>millis<TAB>signature\nort-cpu\t19.0\tClip|a\n")) {
            Files.writeString(file, bad, StandardCharsets.ISO_8859_1);
            CostProfileStore store = new CostProfileStore(file);
            assertEquals(0, store.size(), "nothing read from: " + bad);
            assertFalse(Files.exists(file), "set aside");
            store.put("ort-cpu", "Relu|x", 0.5);
            store.save();
            assertEquals(0.5, new CostProfileStore(file).get("ort-cpu", "Relu|x").orElseThrow(), "rebuilt");
            Files.delete(file);
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(6, s.filter(p -> p.getFileName().toString().startsWith("cost-profiles.tsv.corrupt-")).count());
        }
    }

    @Test
    void filesSetAsideWithinTheSameMillisecondAreAllKept(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("cost-profiles.tsv");
        for (int i = 0; i < 50; i++) {
            Files.writeString(file, "corrupt " + i, StandardCharsets.ISO_8859_1);
            assertTrue(StateFiles.setAside(file, "test") != null);
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(50, s.filter(p -> p.getFileName().toString().startsWith("cost-profiles.tsv.corrupt-"))
                    .count(), "none overwritten by one set aside in the same millisecond");
        }
    }

    @Test
    void aNonFiniteOrNegativeTimeIsNeverRecorded() {
        CostProfileStore store = new CostProfileStore(null);
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, -1}) {
            assertThrows(IllegalArgumentException.class, () -> store.put("ort-cpu", "Relu|x", bad));
        }
        assertEquals(0, store.size());
    }

    @Test
    void aTemporaryFileLeftByAKilledWriterIsRemovedOnStart(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("cost-profiles.tsv");
        Path leftover = dir.resolve("cost-profiles.tsv.4242.1.tmp");
        Files.writeString(leftover, "half a wri");
        new CostProfileStore(file);
        assertFalse(Files.exists(leftover));
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
