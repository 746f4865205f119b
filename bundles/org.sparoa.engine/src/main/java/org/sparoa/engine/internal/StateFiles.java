package org.sparoa.engine.internal;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.api.AtomicFiles;

/**
 * The engine's state files under {@code ${karaf.data}/sparoa/} (written with the API's {@link AtomicFiles}): temporary
 * files a killed write left are removed and logged, a corrupt or foreign file is logged and set aside.
 */
final class StateFiles {
    private static final Logger LOG = LoggerFactory.getLogger(StateFiles.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")
            .withZone(ZoneOffset.UTC);

    private StateFiles() {
    }

    /** Removes temporary files an earlier process left beside {@code target} when it was killed mid-write. */
    static void removeLeftovers(Path target) {
        try {
            for (Path p : AtomicFiles.removeLeftovers(target)) {
                LOG.info("Removed {}, left by a write that did not finish", p);
            }
        } catch (IOException e) {
            LOG.warn("Cannot clean temporary files beside {}: {}", target, e.getMessage());
        }
    }

    /**
     * Moves a corrupt or foreign file aside ({@code NAME.corrupt-TIMESTAMP}, with {@code -N} after it where a file set
     * aside within the same millisecond has that name), so that it is rebuilt, not lost: an earlier one is never
     * overwritten.
     */
    static Path setAside(Path file, String why) {
        String base = file.getFileName() + ".corrupt-" + STAMP.format(Instant.now());
        try {
            for (int n = 0; ; n++) {
                Path aside = file.resolveSibling(n == 0 ? base : base + "-" + n);
                try {
                    Files.move(file, aside);
                    LOG.warn("{} is unreadable ({}); moved it to {} and starting afresh", file, why, aside);
                    return aside;
                } catch (FileAlreadyExistsException taken) {
                    // set aside within the same millisecond: the next name
                }
            }
        } catch (IOException e) {
            LOG.warn("{} is unreadable ({}) and cannot be moved aside: {}", file, why, e.getMessage());
            return null;
        }
    }
}
