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
 */
public record BatchSettings(BatchMode mode, int maxBatch, long maxDelayMicros, double sloMillis, int queueCapacity,
                            int concurrency) {

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
        return new BatchSettings(m, maxBatch, maxDelayMicros, sloMillis, queueCapacity, concurrency);
    }

    public BatchSettings withMaxBatch(int n) {
        return new BatchSettings(mode, n, maxDelayMicros, sloMillis, queueCapacity, concurrency);
    }

    public BatchSettings withMaxDelayMicros(long us) {
        return new BatchSettings(mode, maxBatch, us, sloMillis, queueCapacity, concurrency);
    }

    public BatchSettings withSloMillis(double ms) {
        return new BatchSettings(mode, maxBatch, maxDelayMicros, ms, queueCapacity, concurrency);
    }

    public BatchSettings withQueueCapacity(int n) {
        return new BatchSettings(mode, maxBatch, maxDelayMicros, sloMillis, n, concurrency);
    }

    public BatchSettings withConcurrency(int n) {
        return new BatchSettings(mode, maxBatch, maxDelayMicros, sloMillis, queueCapacity, n);
    }
}
