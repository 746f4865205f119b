package org.sparoa.batching;

/**
 * One model's queue since it was created.
 *
 * @param batchSizeCounts {@code batchSizeCounts[b]}: batches that ran with {@code b} requests (index 0 unused)
 * @param p50Millis median end-to-end latency (queue + compute) of the last requests answered
 * @param p99Millis 99th percentile of the same
 * @param lastBatch size of the batch that ran last
 * @param lastDelayMicros the delay the batcher allowed for that batch
 */
public record QueueStats(String modelId, BatchSettings settings, boolean batchable, int depth, long accepted,
                         long rejected, long succeeded, long failed, long expired, long[] batchSizeCounts,
                         double p50Millis, double p99Millis, double meanQueueMillis, double meanComputeMillis,
                         int lastBatch, long lastDelayMicros) {

    public QueueStats {
        batchSizeCounts = batchSizeCounts.clone();
    }

    @Override
    public long[] batchSizeCounts() {
        return batchSizeCounts.clone();
    }

    /** Requests answered (succeeded, failed or expired). */
    public long answered() {
        return succeeded + failed + expired;
    }
}
