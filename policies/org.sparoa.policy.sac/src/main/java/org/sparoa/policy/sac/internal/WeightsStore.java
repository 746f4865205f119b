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
 * one. The weights shipped in the bundle ({@link #DEFAULT_RESOURCE}) answer when the directory has none.
 */
final class WeightsStore {
    /** The trained default, a resource of this bundle. */
    static final String DEFAULT_RESOURCE = "sac-default.weights";
    private static final Pattern FILE = Pattern.compile("sac-v(\\d{4,9})\\.weights");

    private final Path dir;

    WeightsStore(Path dir) {
        this.dir = dir;
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

    /** Writes the weights as the next version, atomically; returns the file written. */
    Path save(SacWeights weights) throws IOException {
        Files.createDirectories(dir);
        int next = latest().map(WeightsStore::version).orElse(0) + 1;
        Path file = dir.resolve(String.format("sac-v%04d.weights", next));
        AtomicFiles.removeLeftovers(file);
        AtomicFiles.write(file, weights.toBytes());
        return file;
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
