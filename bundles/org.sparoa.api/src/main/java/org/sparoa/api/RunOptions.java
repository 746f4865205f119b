package org.sparoa.api;

import java.time.Instant;
import java.util.Map;

/**
 * How to run one request.
 *
 * @param backend pin every operator to this backend id (null: let the policy decide)
 * @param policy the scheduling policy by name (null: the configured default)
 * @param policyOptions passed to the policy, e.g. {@code segments=3} for the partition policy
 * @param captureIntermediates also return every intermediate tensor (for calibration and analysis; slower)
 * @param deadline when the caller stops waiting (null: never); a request still running then stops at its next
 *        segment boundary with a {@link RequestCancelledException}
 */
public record RunOptions(String backend, String policy, Map<String, String> policyOptions,
                         boolean captureIntermediates, Instant deadline) {

    public RunOptions {
        policyOptions = policyOptions == null ? Map.of() : Map.copyOf(policyOptions);
    }

    public RunOptions(String backend, String policy, Map<String, String> policyOptions, boolean captureIntermediates) {
        this(backend, policy, policyOptions, captureIntermediates, null);
    }

    /** The same options with a deadline. */
    public RunOptions withDeadline(Instant when) {
        return new RunOptions(backend, policy, policyOptions, captureIntermediates, when);
    }

    public static RunOptions defaults() {
        return new RunOptions(null, null, Map.of(), false);
    }

    public static RunOptions onBackend(String backendId) {
        return new RunOptions(backendId, null, Map.of(), false);
    }

    public static RunOptions withPolicy(String policy, Map<String, String> options) {
        return new RunOptions(null, policy, options, false);
    }

    public RunOptions capturingIntermediates() {
        return new RunOptions(backend, policy, policyOptions, true, deadline);
    }
}
