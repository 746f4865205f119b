package org.sparoa.batching;

/**
 * Batching settings of one model.
 *
 * @param mode adaptive, static or none
 * @param maxBatch largest batch (in requests); static mode always aims for it
 * @param maxDelayMicros longest time the oldest queued request waits for a batch to fill
 * @param sloMillis latency objective (p99, queue time included) that the adaptive mode keeps
 * @param queueCapacity requests that may wait; one more is refused at once
 * @param concurrency batches of this model that run at the same time (models with a fixed batch of one overlap
 *                    this many requests across the backends)
 * @param shedLate whether requests that can no longer be answered within the objective are refused or dropped
 *                 (refused at once when the work queued ahead already fills the objective; answered with a timeout
 *                 when they have waited so long that their batch would end past it) instead of computed late
 */
public record BatchSettings(BatchMode mode, int maxBatch, long maxDelayMicros, double sloMillis, int queueCapacity,
                            int concurrency, boolean shedLate) {

    /** Settings that compute every accepted request, however late (no shedding). */
    public BatchSettings(BatchMode mode, int maxBatch, long maxDelayMicros, double sloMillis, int queueCapacity,
                         int concurrency) {
        this(mode, maxBatch, maxDelayMicros, sloMillis, queueCapacity, concurrency, false);
    }

    public BatchSettings {
        if (mode == null) {
            throw new IllegalArgumentException("batching mode is missing");
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("max batch must be at least 1, got " + maxBatch);
        }
        if (maxDelayMicros < 0) {
            throw new IllegalArgumentException("max queue delay must not be negative, got " + maxDelayMicros + " us");
        }
        if (!(sloMillis > 0)) {
            throw new IllegalArgumentException("latency objective must be positive, got " + sloMillis + " ms");
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queue capacity must be at least 1, got " + queueCapacity);
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
        }
    }

    public BatchSettings withMode(BatchMode m) {
        return new BatchSettings(m, maxBatch, maxDelayMicros, sloMillis, queueCapacity, concurrency, shedLate);
    }

    public BatchSettings withMaxBatch(int n) {
        return new BatchSettings(mode, n, maxDelayMicros, sloMillis, queueCapacity, concurrency, shedLate);
    }

    public BatchSettings withMaxDelayMicros(long us) {
        return new BatchSettings(mode, maxBatch, us, sloMillis, queueCapacity, concurrency, shedLate);
    }

    public BatchSettings withSloMillis(double ms) {
        return new BatchSettings(mode, maxBatch, maxDelayMicros, ms, queueCapacity, concurrency, shedLate);
    }

    public BatchSettings withQueueCapacity(int n) {
        return new BatchSettings(mode, maxBatch, maxDelayMicros, sloMillis, n, concurrency, shedLate);
    }

    public BatchSettings withConcurrency(int n) {
        return new BatchSettings(mode, maxBatch, maxDelayMicros, sloMillis, queueCapacity, n, shedLate);
    }

    public BatchSettings withShedLate(boolean shed) {
        return new BatchSettings(mode, maxBatch, maxDelayMicros, sloMillis, queueCapacity, concurrency, shed);
    }
}
