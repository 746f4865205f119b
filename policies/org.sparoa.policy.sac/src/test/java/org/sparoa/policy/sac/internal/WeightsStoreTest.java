package org.sparoa.policy.sac.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparoa.api.learn.AgentSpec;

class WeightsStoreTest {
    @TempDir
    Path dir;

    private static SacWeights weights(float first) {
        return new SacWeights(AgentSpec.of(StateEncoder.SIZE, StateEncoder.SLOTS, 8, 1), StateEncoder.SLOTS,
                SacWeights.STATE_LAYOUT, Map.of("seed", "42", "episodes", "10"),
                Map.of("actor/w0", new float[] {first, -2.5f, 1e-7f}, "critic1/b0", new float[] {0}));
    }

    @Test
    void weightsRoundTripThroughVersionedFilesAndTheNewestIsCurrent() throws IOException {
        WeightsStore store = new WeightsStore(dir.resolve("sac"));
        assertTrue(store.latest().isEmpty(), "no directory yet: no weights");
        Path v1 = store.save(weights(1));
        Path v2 = store.save(weights(2));
        assertEquals("sac-v0001.weights", v1.getFileName().toString());
        assertEquals("sac-v0002.weights", v2.getFileName().toString());
        assertEquals(v2, store.latest().orElseThrow());
        SacWeights back = WeightsStore.read(v2);
        assertArrayEquals(new float[] {2, -2.5f, 1e-7f}, back.weights().get("actor/w0"));
        assertEquals(weights(2).spec(), back.spec());
        assertEquals("42", back.info().get("seed"));
        assertTrue(back.fitsEncoder());
        try (var files = Files.list(store.directory())) {
            assertEquals(2, files.count(), "no temporary file left");
        }
    }

    @Test
    void aSaveKeepsTheNewestVersionsAndTheirCurvesAndDeletesOlderOnes() throws IOException {
        WeightsStore store = new WeightsStore(dir, 3);
        for (int v = 1; v <= 5; v++) {
            Path saved = store.save(weights(v));
            Files.writeString(dir.resolve(saved.getFileName().toString().replace(".weights", "-reward-curve.svg")),
                    "<svg/>");
        }
        Files.writeString(dir.resolve("notes.txt"), "kept: not a version");
        store.save(weights(6));
        try (var files = Files.list(dir)) {
            assertEquals(java.util.List.of("notes.txt", "sac-v0004-reward-curve.svg", "sac-v0004.weights",
                    "sac-v0005-reward-curve.svg", "sac-v0005.weights", "sac-v0006.weights"),
                    files.map(f -> f.getFileName().toString()).sorted().toList());
        }
        assertEquals(dir.resolve("sac-v0006.weights"), store.latest().orElseThrow());
        assertThrows(IllegalArgumentException.class, () -> new WeightsStore(dir, 0));
    }

    @Test
    void aDamagedTruncatedOrForeignFileIsRefusedNamingTheFileAndTheReason() throws IOException {
        WeightsStore store = new WeightsStore(dir);
        Path file = store.save(weights(1));
        byte[] good = Files.readAllBytes(file);

        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x40;
        Files.write(file, flipped);
        IOException damaged = assertThrows(IOException.class, () -> WeightsStore.read(file));
        assertTrue(damaged.getMessage().contains(file.toString()) && damaged.getMessage().contains("damaged"),
                damaged.getMessage());

        Files.write(file, java.util.Arrays.copyOf(good, good.length - 9));
        IOException truncated = assertThrows(IOException.class, () -> WeightsStore.read(file));
        assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());

        Files.writeString(file, "{\"not\": \"weights\"}");
        IOException foreign = assertThrows(IOException.class, () -> WeightsStore.read(file));
        assertTrue(foreign.getMessage().contains("not a SAC weights file"), foreign.getMessage());

        IOException missing = assertThrows(IOException.class, () -> WeightsStore.read(dir.resolve("sac-v0009.weights")));
        assertTrue(missing.getMessage().contains("no weights file"), missing.getMessage());
    }

    @Test
    void weightsForAnotherSlotCountOrStateLayoutDoNotFitAndSayWhy() {
        SacWeights other = new SacWeights(AgentSpec.of(20, 2, 8, 1), 2, SacWeights.STATE_LAYOUT, Map.of(),
                Map.of("w", new float[] {1}));
        assertFalse(other.fitsEncoder());
        assertTrue(other.mismatch().contains("2 backend slots"), other.mismatch());
        assertThrows(IllegalArgumentException.class, () -> WeightsStore.version(dir.resolve("other.bin")));
    }
}
