package org.sparoa.backend.cuda.internal;

import java.nio.charset.StandardCharsets;

/** Values from {@code cuda.h} that both bindings need. */
final class DriverConstants {
    static final int ATTR_SM_COUNT = 16;
    static final int ATTR_INTEGRATED = 18;
    static final int ATTR_CC_MAJOR = 75;
    static final int ATTR_CC_MINOR = 76;
    static final int HOSTALLOC_DEVICEMAP = 0x02;
    static final int STREAM_NON_BLOCKING = 0x01;

    private DriverConstants() {
    }

    /** A NUL-terminated C string in a byte array. */
    static String cString(byte[] bytes) {
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    /** Driver version as the driver API reports it (e.g. 12020) in the usual form (12.2). */
    static String versionString(int v) {
        return (v / 1000) + "." + (v % 1000) / 10;
    }
}
