package org.sparoa.api;

/** The kind of processor a backend runs on; {@link #SIM} is a simulated device whose times are simulated. */
public enum DeviceKind {
    CPU, GPU, NPU, SIM;

    /** The value of the {@code sparoa.device.kind} service property. */
    public String propertyValue() {
        return name().toLowerCase();
    }
}
