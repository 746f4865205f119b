package org.sparoa.backend.cuda.internal;

/** What the driver says about one GPU. {@code integrated}: it shares the host's DRAM (Jetson). */
record DeviceInfo(int ordinal, String name, int major, int minor, long totalMemoryBytes, int multiprocessors,
                  boolean integrated) {

    String computeCapability() {
        return major + "." + minor;
    }
}
