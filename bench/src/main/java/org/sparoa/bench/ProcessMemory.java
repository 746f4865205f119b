package org.sparoa.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The process's resident set size, from {@code /proc/self/status} (Linux). */
public final class ProcessMemory {
    private ProcessMemory() {
    }

    /** VmRSS in bytes, or -1 where {@code /proc} does not say. */
    public static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    public static String rss() {
        long b = rssBytes();
        return b < 0 ? "unknown (no /proc/self/status)" : String.format(Locale.ROOT, "%.0f MiB", b / 1048576.0);
    }
}
