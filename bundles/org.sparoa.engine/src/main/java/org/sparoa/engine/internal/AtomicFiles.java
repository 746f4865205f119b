package org.sparoa.engine.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Crash-safe writes of the state kept under {@code ${karaf.data}/sparoa/}: the new content goes to a temporary file
 * beside the target, is forced to disk, and replaces the target by an atomic rename, whose directory entry is forced
 * too. A process killed at any point leaves the old file or the new one, never a mix; a temporary file it leaves is
 * removed by {@link #removeLeftovers} on the next start.
 */
final class AtomicFiles {
    private static final Logger LOG = LoggerFactory.getLogger(AtomicFiles.class);
    static final String TMP_SUFFIX = ".tmp";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")
            .withZone(ZoneOffset.UTC);

    private AtomicFiles() {
    }

    static void write(Path target, byte[] content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(target.getFileName() + "." + ProcessHandle.current().pid() + "."
                + Thread.currentThread().getId() + TMP_SUFFIX);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(content);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            forceDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Removes temporary files an earlier process left beside {@code target} when it was killed mid-write. */
    static void removeLeftovers(Path target) {
        Path dir = target.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return;
        }
        String prefix = target.getFileName() + ".";
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, p -> {
            String n = p.getFileName().toString();
            return n.startsWith(prefix) && n.endsWith(TMP_SUFFIX);
        })) {
            for (Path p : s) {
                Files.deleteIfExists(p);
                LOG.info("Removed {}, left by a write that did not finish", p);
            }
        } catch (IOException e) {
            LOG.warn("Cannot clean temporary files beside {}: {}", target, e.getMessage());
        }
    }

    /** Moves a corrupt or foreign file aside ({@code NAME.corrupt-TIMESTAMP}), so that it is rebuilt, not lost. */
    static Path setAside(Path file, String why) {
        Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + STAMP.format(Instant.now()));
        try {
            Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            LOG.warn("{} is unreadable ({}); moved it to {} and starting afresh", file, why, aside);
            return aside;
        } catch (IOException e) {
            LOG.warn("{} is unreadable ({}) and cannot be moved aside: {}", file, why, e.getMessage());
            return null;
        }
    }

    private static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems cannot open a directory; the rename is atomic all the same
        }
    }
}
