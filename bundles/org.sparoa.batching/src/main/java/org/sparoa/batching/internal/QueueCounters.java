package org.sparoa.batching.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/** What one queue has done since it was created. */
final class QueueCounters {
    final AtomicLong accepted = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final AtomicLong succeeded = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong expired = new AtomicLong();
    /** Answers computed for a request that had already been answered (its deadline passed meanwhile): dropped. */
    final AtomicLong late = new AtomicLong();
    final AtomicLong queueNanos = new AtomicLong();
    final AtomicLong computeNanos = new AtomicLong();
    final AtomicLong computed = new AtomicLong();
    final AtomicLongArray batchSizes = new AtomicLongArray(LatencyCurve.MAX_ROWS + 1);
    final LatencyWindow latencies = new LatencyWindow(4096);
    volatile int lastBatch;
    volatile long lastDelayMicros;

    long[] batchSizeCounts(int upTo) {
        int n = Math.min(upTo, LatencyCurve.MAX_ROWS);
        long[] out = new long[n + 1];
        for (int i = 1; i <= n; i++) {
            out[i] = batchSizes.get(i);
        }
        return out;
    }
}
