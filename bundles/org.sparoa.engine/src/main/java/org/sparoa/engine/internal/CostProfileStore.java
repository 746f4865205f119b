package org.sparoa.engine.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.api.AtomicFiles;

/**
 * Measured operator times by backend and {@link OperatorSignature}, kept in memory and, when a file is given,
 * persisted crash-safely ({@link AtomicFiles}) as tab-separated lines with a version header, so that a restart reuses
 * them. A file with another header, a line that does not parse, or a time that is not a finite non-negative number
 * makes the whole file suspect: it is set aside and the profiles are measured again. Version 2: the profiler hands
 * each run's outputs back to the segment (version 1 files timed a fresh direct buffer per output and run, many times
 * the operator's own cost on large activations, and are set aside).
 */
final class CostProfileStore {
    static final String HEADER = "# sparoa cost profiles v2: backend<TAB>millis<TAB>signature";
    private static final Logger LOG = LoggerFactory.getLogger(CostProfileStore.class);

    private final Map<String, Map<String, Double>> byBackend = new ConcurrentHashMap<>();
    private final Path file;

    CostProfileStore(Path file) {
        this.file = file;
        if (file != null) {
            StateFiles.removeLeftovers(file);
            if (Files.isRegularFile(file)) {
                load();
            }
        }
    }

    /** A store persisting to {@code file} what {@code from} holds (for tools and tests). */
    CostProfileStore(Path file, CostProfileStore from) {
        this.file = file;
        from.byBackend.forEach((b, m) -> byBackend.put(b, new ConcurrentHashMap<>(m)));
    }

    OptionalDouble get(String backendId, String signature) {
        Map<String, Double> m = byBackend.get(backendId);
        Double v = m == null ? null : m.get(signature);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /** Records a time; one that is not a finite non-negative number of milliseconds is refused. */
    void put(String backendId, String signature, double millis) {
        if (!Double.isFinite(millis) || millis < 0) {
            throw new IllegalArgumentException("operator time must be a finite non-negative number of ms, got "
                    + millis + " for " + backendId + " " + signature);
        }
        if (backendId.indexOf('\t') >= 0 || backendId.indexOf('\n') >= 0 || signature.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("backend id and signature must not contain tabs or line breaks");
        }
        byBackend.computeIfAbsent(backendId, k -> new ConcurrentHashMap<>()).put(signature, millis);
    }

    int size() {
        return byBackend.values().stream().mapToInt(Map::size).sum();
    }

    synchronized void save() {
        if (file == null) {
            return;
        }
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (Map.Entry<String, Map<String, Double>> b : byBackend.entrySet()) {
            for (Map.Entry<String, Double> e : b.getValue().entrySet()) {
                sb.append(b.getKey()).append('\t').append(e.getValue()).append('\t').append(e.getKey()).append('\n');
            }
        }
        try {
            AtomicFiles.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.warn("Cannot save cost profiles to {}: {}", file, e.getMessage());
        }
    }

    private void load() {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            StateFiles.setAside(file, e.toString());
            return;
        }
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            StateFiles.setAside(file, "not a version 2 cost profile file");
            return;
        }
        Map<String, Map<String, Double>> read = new HashMap<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] parts = lines.get(i).split("\t", 3);
            double millis;
            try {
                millis = parts.length == 3 ? Double.parseDouble(parts[1]) : Double.NaN;
            } catch (NumberFormatException e) {
                millis = Double.NaN;
            }
            if (!Double.isFinite(millis) || millis < 0) {
                StateFiles.setAside(file, "line " + (i + 1) + " is not backend, time (finite, >= 0 ms), signature");
                return;
            }
            read.computeIfAbsent(parts[0], k -> new HashMap<>()).put(parts[2], millis);
        }
        read.forEach((b, m) -> byBackend.computeIfAbsent(b, k -> new ConcurrentHashMap<>()).putAll(m));
        LOG.info("Loaded {} operator cost measurements from {}", size(), file);
    }
}
