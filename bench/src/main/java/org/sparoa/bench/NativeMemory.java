package org.sparoa.bench;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.management.ObjectName;

/**
 * What the JVM knows about its own native memory: committed bytes per category from Native Memory Tracking (only when
 * the JVM runs with {@code -XX:NativeMemoryTracking=summary}), and the bytes held by direct buffers. Resident memory
 * above the NMT total is memory the JVM did not allocate itself: ONNX Runtime's allocations and the C library's
 * arenas.
 */
public final class NativeMemory {
    private static final Pattern TOTAL = Pattern.compile("Total: reserved=(\\d+)KB, committed=(\\d+)KB");
    private static final Pattern CATEGORY = Pattern.compile("-\\s+([A-Za-z][A-Za-z ]*?) \\(reserved=(\\d+)KB, committed=(\\d+)KB");

    private NativeMemory() {
    }

    /**
     * Committed bytes per NMT category, with the total under {@code "Total"}; empty when NMT is off or the
     * diagnostic command is unavailable.
     */
    public static Map<String, Long> committedByCategory() {
        String text;
        try {
            Object out = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                    new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()});
            text = String.valueOf(out);
        } catch (Exception e) {
            return Map.of();
        }
        return parse(text);
    }

    /** Parses the text of {@code VM.native_memory summary}; empty when it reports that tracking is off. */
    static Map<String, Long> parse(String text) {
        Map<String, Long> committed = new LinkedHashMap<>();
        Matcher total = TOTAL.matcher(text);
        if (!total.find()) {
            return Map.of();
        }
        committed.put("Total", Long.parseLong(total.group(2)) * 1024);
        Matcher c = CATEGORY.matcher(text);
        while (c.find()) {
            committed.put(c.group(1).trim(), Long.parseLong(c.group(3)) * 1024);
        }
        return committed;
    }

    /** Bytes held by the JVM's direct buffers (the {@code direct} buffer pool), or -1 when not reported. */
    public static long directBufferBytes() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if ("direct".equals(pool.getName())) {
                return pool.getMemoryUsed();
            }
        }
        return -1;
    }
}
