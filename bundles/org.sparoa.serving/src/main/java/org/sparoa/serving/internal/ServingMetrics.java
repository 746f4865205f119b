package org.sparoa.serving.internal;

/** Where the endpoint reports each infer request: model, HTTP status, time spent. */
interface ServingMetrics {
    ServingMetrics NONE = (model, status, nanos) -> { };

    void request(String model, int status, long nanos);
}
