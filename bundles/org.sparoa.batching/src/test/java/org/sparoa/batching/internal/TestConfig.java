package org.sparoa.batching.internal;

import java.lang.annotation.Annotation;

/** A batching configuration for tests; also for the serving bundles' tests (this module's test-jar). */
public record TestConfig(String mode, int maxBatchSize, long maxQueueDelayMicros, double sloMillis, int queueCapacity,
                  int concurrency, long requestTimeoutMillis, boolean shedLate) implements BatchingEngine.Config {

    public TestConfig(String mode, int maxBatchSize, long maxQueueDelayMicros, double sloMillis, int queueCapacity,
                      int concurrency, long requestTimeoutMillis) {
        this(mode, maxBatchSize, maxQueueDelayMicros, sloMillis, queueCapacity, concurrency, requestTimeoutMillis,
                false);
    }

    public static TestConfig staticBatches(int maxBatch, long delayMicros) {
        return new TestConfig("static", maxBatch, delayMicros, 50, 256, 1, 30_000);
    }

    /** Adaptive, up to {@code maxBatch}, 2 ms delay, a 50 ms objective: what the endpoints' tests serve with. */
    public static TestConfig adaptive(int maxBatch) {
        return new TestConfig("adaptive", maxBatch, 2000, 50, 256, 1, 30_000);
    }

    public TestConfig withCapacity(int capacity) {
        return new TestConfig(mode, maxBatchSize, maxQueueDelayMicros, sloMillis, capacity, concurrency,
                requestTimeoutMillis, shedLate);
    }

    public TestConfig withShedLate(boolean shed) {
        return new TestConfig(mode, maxBatchSize, maxQueueDelayMicros, sloMillis, queueCapacity, concurrency,
                requestTimeoutMillis, shed);
    }

    public TestConfig withMode(String m) {
        return new TestConfig(m, maxBatchSize, maxQueueDelayMicros, sloMillis, queueCapacity, concurrency,
                requestTimeoutMillis, shedLate);
    }

    @Override
    public Class<? extends Annotation> annotationType() {
        return BatchingEngine.Config.class;
    }
}
