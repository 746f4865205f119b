package org.sparoa.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** Reading the summary of Native Memory Tracking, in the format Java 17's {@code VM.native_memory summary} prints. */
class NativeMemoryTest {
    private static final String SUMMARY = """

            Native Memory Tracking:

            (Omitting categories weighting less than 1KB)

            Total: reserved=7845485KB, committed=489917KB
                   malloc: 13093KB #71399
                   mmap:   reserved=7832392KB, committed=476824KB

            -                 Java Heap (reserved=6172672KB, committed=397312KB)
                                        (mmap: reserved=6172672KB, committed=397312KB)
            \s
            -                     Class (reserved=1048844KB, committed=1740KB)
                                        (classes #3072)
                                        (  Metadata:   )
                                        (    reserved=65536KB, committed=9920KB)
            \s
            -                    Thread (reserved=19506KB, committed=802KB)
                                        (thread #19)
            -                     Other (reserved=1024KB, committed=1024KB)
                                        (malloc=1024KB #2)
            """;

    @Test
    void readsTheTotalAndEachCategoryInBytes() {
        Map<String, Long> c = NativeMemory.parse(SUMMARY);
        assertEquals(489917L * 1024, c.get("Total"));
        assertEquals(397312L * 1024, c.get("Java Heap"));
        assertEquals(1740L * 1024, c.get("Class"), "the category's line, not its Metadata sub-line");
        assertEquals(802L * 1024, c.get("Thread"));
        assertEquals(1024L * 1024, c.get("Other"));
        assertEquals(5, c.size());
    }

    @Test
    void isEmptyWhenTrackingIsOff() {
        assertTrue(NativeMemory.parse("Native memory tracking is not enabled").isEmpty());
    }
}
