package org.sparoa.engine.internal;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measured operator times by backend and {@link OperatorSignature}, kept in memory and, when a file is given,
 * persisted atomically (temporary file, then move) as tab-separated lines with a version header, so that a
 * restart reuses them.
 */
final class CostProfileStore {
    static final String HEADER = "# sparoa cost profiles v1: backend<TAB>millis<TAB>signature";
    private static final Logger LOG = LoggerFactory.getLogger(CostProfileStore.class);

    private final Map<String, Map<String, Double>> byBackend = new ConcurrentHashMap<>();
    private final Path file;

    CostProfileStore(Path file) {
        this.file = file;
        if (file != null && Files.isRegularFile(file)) {
            load();
        }
    }

    OptionalDouble get(String backendId, String signature) {
        Map<String, Double> m = byBackend.get(backendId);
        Double v = m == null ? null : m.get(signature);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    void put(String backendId, String signature, double millis) {
        byBackend.computeIfAbsent(backendId, k -> new ConcurrentHashMap<>()).put(signature, millis);
    }

    /** The cheapest measured operator of a backend: the floor of any segment's cost there, used as launch overhead. */
    OptionalDouble floor(String backendId) {
        Map<String, Double> m = byBackend.get(backendId);
        return m == null || m.isEmpty() ? OptionalDouble.empty()
                : m.values().stream().mapToDouble(Double::doubleValue).min();
    }

    int size() {
        return byBackend.values().stream().mapToInt(Map::size).sum();
    }

    synchronized void save() {
        if (file == null) {
            return;
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".costs", ".tmp");
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write(HEADER);
                w.newLine();
                for (Map.Entry<String, Map<String, Double>> b : byBackend.entrySet()) {
                    for (Map.Entry<String, Double> e : b.getValue().entrySet()) {
                        w.write(b.getKey() + "\t" + e.getValue() + "\t" + e.getKey());
                        w.newLine();
                    }
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("Cannot save cost profiles to {}: {}", file, e.getMessage());
        }
    }

    private void load() {
        try {
            var lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
                LOG.warn("Ignoring cost profiles in {}: unknown format", file);
                return;
            }
            for (String line : lines.subList(1, lines.size())) {
                String[] parts = line.split("\t", 3);
                if (parts.length == 3) {
                    put(parts[0], parts[2], Double.parseDouble(parts[1]));
                }
            }
            LOG.info("Loaded {} operator cost measurements from {}", size(), file);
        } catch (IOException | NumberFormatException e) {
            LOG.warn("Ignoring cost profiles in {}: {}", file, e.getMessage());
        }
    }
}
