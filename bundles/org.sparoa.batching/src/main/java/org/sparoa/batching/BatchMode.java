package org.sparoa.batching;

import java.util.Locale;

/** How a model's queue forms batches. */
public enum BatchMode {
    /** Batch size and delay chosen from the measured batch-size/latency curve to meet the latency objective. */
    ADAPTIVE,
    /** Always wait for {@code maxBatch} requests or {@code maxDelayMicros}, whichever comes first. */
    STATIC,
    /** One request at a time, no waiting. */
    NONE;

    public static BatchMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown batching mode '" + text + "'; use adaptive, static or none");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
