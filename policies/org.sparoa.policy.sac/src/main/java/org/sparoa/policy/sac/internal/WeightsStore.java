package org.sparoa.policy.sac.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.sparoa.api.AtomicFiles;

/**
 * Versioned weights in one directory ({@code ${karaf.data}/sparoa/sac/}): {@code sac-v0001.weights},
 * {@code sac-v0002.weights}, ..., each written atomically ({@link AtomicFiles}); the highest version is the current
 * one. The weights shipped in the bundle ({@link #DEFAULT_RESOURCE}) answer when the directory has none. A save keeps
 * the newest {@link #KEEP_VERSIONS} versions and deletes older ones with their reward curves
 * ({@code sac-vNNNN-reward-curve.svg}): online tuning saves a version per round that finds cheaper plans, which over
 * weeks of serving would otherwise fill the disk (each file about 170 KB).
 */
final class WeightsStore {
    /** The trained default, a resource of this bundle. */
    static final String DEFAULT_RESOURCE = "sac-default.weights";
    /** How many versions a save keeps. */
    static final int KEEP_VERSIONS = 20;
    private static final Pattern FILE = Pattern.compile("sac-v(\\d{4,9})\\.weights");
    private static final Pattern CURVE = Pattern.compile("sac-v(\\d{4,9})-reward-curve\\.svg");

    private final Path dir;
    private final int keep;

    WeightsStore(Path dir) {
        this(dir, KEEP_VERSIONS);
    }

    /** A store that keeps the newest {@code keep} (>= 1) versions. */
    WeightsStore(Path dir, int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("a weights store keeps at least one version, got " + keep);
        }
        this.dir = dir;
        this.keep = keep;
    }

    Path directory() {
        return dir;
    }

    /** The file of the highest version, if any. */
    Optional<Path> latest() throws IOException {
        Path best = null;
        int bestVersion = 0;
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path p : files) {
                Matcher m = FILE.matcher(p.getFileName().toString());
                if (m.matches() && Integer.parseInt(m.group(1)) > bestVersion) {
                    bestVersion = Integer.parseInt(m.group(1));
                    best = p;
                }
            }
        }
        return Optional.ofNullable(best);
    }

    static int version(Path file) {
        Matcher m = FILE.matcher(file.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException(file + " is not a versioned weights file (sac-vNNNN.weights)");
        }
        return Integer.parseInt(m.group(1));
    }

    /** Weights from bytes {@link SacWeights#toBytes()} made; {@link java.io.IOException} names {@code source}. */
    static SacWeights readBytes(byte[] content, String source) throws IOException {
        return SacWeights.fromBytes(content, source);
    }

    /**
     * Writes the weights as the next version, atomically, then deletes the versions (and reward curves) older than the
     * newest {@code keep}; returns the file written.
     */
    Path save(SacWeights weights) throws IOException {
        Files.createDirectories(dir);
        int next = latest().map(WeightsStore::version).orElse(0) + 1;
        Path file = dir.resolve(String.format("sac-v%04d.weights", next));
        AtomicFiles.removeLeftovers(file);
        AtomicFiles.write(file, weights.toBytes());
        pruneBelow(next - keep + 1);
        return file;
    }

    /** Deletes weights files and reward curves of versions below {@code oldestKept}. */
    private void pruneBelow(int oldestKept) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                Matcher w = FILE.matcher(name);
                Matcher c = CURVE.matcher(name);
                int version = w.matches() ? Integer.parseInt(w.group(1))
                        : c.matches() ? Integer.parseInt(c.group(1)) : Integer.MAX_VALUE;
                if (version < oldestKept) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Reads one file; {@link IOException} names the file and what is wrong. */
    static SacWeights read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no weights file " + file);
        }
        return SacWeights.fromBytes(Files.readAllBytes(file), file.toString());
    }

    /** The weights shipped in the bundle; {@link IOException} when the bundle has none or they are damaged. */
    static SacWeights shippedDefault() throws IOException {
        try (InputStream in = WeightsStore.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IOException("the bundle ships no default weights (" + DEFAULT_RESOURCE + ")");
            }
            return SacWeights.fromBytes(in.readAllBytes(), "the bundle's " + DEFAULT_RESOURCE);
        }
    }
}
