package org.sparoa.bench.serving;

import java.lang.annotation.Annotation;

import org.sparoa.batching.internal.BatchingEngine;

/** A batching configuration built in code (the benchmark runs the engine outside OSGi). */
public record BatchingConfig(String mode, int maxBatchSize, long maxQueueDelayMicros, double sloMillis, int queueCapacity,
                      int concurrency, long requestTimeoutMillis, boolean shedLate)
        implements BatchingEngine.Config {

    public static BatchingConfig of(String mode, int maxBatch, long delayMicros, double sloMillis) {
        return new BatchingConfig(mode, maxBatch, delayMicros, sloMillis, 512, 1, 30_000, false);
    }

    public BatchingConfig withShedLate(boolean shed) {
        return new BatchingConfig(mode, maxBatchSize, maxQueueDelayMicros, sloMillis, queueCapacity, concurrency,
                requestTimeoutMillis, shed);
    }

    @Override
    public Class<? extends Annotation> annotationType() {
        return BatchingEngine.Config.class;
    }
}
