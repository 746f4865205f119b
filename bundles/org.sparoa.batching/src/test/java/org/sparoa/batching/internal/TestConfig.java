package org.sparoa.batching.internal;

import java.lang.annotation.Annotation;

/** A batching configuration for tests. */
record TestConfig(String mode, int maxBatchSize, long maxQueueDelayMicros, double sloMillis, int queueCapacity,
                  int concurrency, long requestTimeoutMillis) implements BatchingEngine.Config {

    static TestConfig staticBatches(int maxBatch, long delayMicros) {
        return new TestConfig("static", maxBatch, delayMicros, 50, 256, 1, 30_000);
    }

    TestConfig withCapacity(int capacity) {
        return new TestConfig(mode, maxBatchSize, maxQueueDelayMicros, sloMillis, capacity, concurrency,
                requestTimeoutMillis);
    }

    TestConfig withMode(String m) {
        return new TestConfig(m, maxBatchSize, maxQueueDelayMicros, sloMillis, queueCapacity, concurrency,
                requestTimeoutMillis);
    }

    @Override
    public Class<? extends Annotation> annotationType() {
        return BatchingEngine.Config.class;
    }
}
