package org.sparoa.serving;

import java.lang.annotation.Annotation;

import org.sparoa.batching.internal.BatchingEngine;

/** A batching configuration for the serving tests: adaptive, 2 ms delay, 50 ms objective. */
public final class ServingFixtureConfig {
    private ServingFixtureConfig() {
    }

    public static BatchingEngine.Config adaptive(int maxBatch) {
        return new BatchingEngine.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return BatchingEngine.Config.class;
            }

            @Override
            public String mode() {
                return "adaptive";
            }

            @Override
            public int maxBatchSize() {
                return maxBatch;
            }

            @Override
            public long maxQueueDelayMicros() {
                return 2000;
            }

            @Override
            public double sloMillis() {
                return 50;
            }

            @Override
            public int queueCapacity() {
                return 256;
            }

            @Override
            public int concurrency() {
                return 1;
            }

            @Override
            public long requestTimeoutMillis() {
                return 30_000;
            }
        };
    }

}
