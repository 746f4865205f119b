package org.sparoa.serving.core;

import java.util.function.Supplier;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Where an endpoint reports each infer request it answered, as a service: the HTTP endpoint's Prometheus metrics
 * provide it, and every endpoint reports to it, so that {@code sparoa_requests_total} counts the requests of all.
 */
@ProviderType
public interface RequestMetrics {
    /** Reports nothing: for an endpoint running without metrics. */
    RequestMetrics NONE = (model, status, nanos) -> { };

    /**
     * Reports to the metrics {@code holder} gives at the time of each request, if any: for an endpoint whose
     * reference to this service is dynamic and optional.
     */
    static RequestMetrics current(Supplier<RequestMetrics> holder) {
        return (model, status, nanos) -> {
            RequestMetrics m = holder.get();
            if (m != null) {
                m.request(model, status, nanos);
            }
        };
    }

    /**
     * @param status the HTTP status of the answer (a gRPC endpoint reports the HTTP status of its gRPC code, as
     *               {@link #httpStatusOfGrpc} maps it)
     * @param nanos the time the endpoint spent on it, decoding to encoding
     */
    void request(String model, int status, long nanos);

    /**
     * The HTTP status that stands for a gRPC status code in the metrics, as the gRPC-HTTP mapping of the gRPC
     * specification pairs them (OK 200, INVALID_ARGUMENT 400, NOT_FOUND 404, RESOURCE_EXHAUSTED 429, CANCELLED 499,
     * INTERNAL 500, UNAVAILABLE 503, DEADLINE_EXCEEDED 504).
     */
    static int httpStatusOfGrpc(String code) {
        return switch (code) {
            case "OK" -> 200;
            case "INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE" -> 400;
            case "UNAUTHENTICATED" -> 401;
            case "PERMISSION_DENIED" -> 403;
            case "NOT_FOUND" -> 404;
            case "ALREADY_EXISTS", "ABORTED" -> 409;
            case "RESOURCE_EXHAUSTED" -> 429;
            case "CANCELLED" -> 499;
            case "UNIMPLEMENTED" -> 501;
            case "UNAVAILABLE" -> 503;
            case "DEADLINE_EXCEEDED" -> 504;
            default -> 500;
        };
    }
}
