package org.sparoa.engine.internal;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

import org.sparoa.api.RequestCancelledException;

/**
 * Whether the caller of a request is gone: its deadline passed, its future was cancelled, or (for a request run on
 * the caller's thread) that thread was interrupted, as Karaf does when a shell session closes. Checked at every
 * segment boundary, so a request stops there and frees what it holds.
 */
final class Cancellation {
    static final Cancellation NONE = new Cancellation(null, null, null);

    private final Thread caller;
    private final AtomicBoolean cancelled;
    private final Instant deadline;

    private Cancellation(Thread caller, AtomicBoolean cancelled, Instant deadline) {
        this.caller = caller;
        this.cancelled = cancelled;
        this.deadline = deadline;
    }

    static Cancellation ofCurrentThread(Instant deadline) {
        return new Cancellation(Thread.currentThread(), null, deadline);
    }

    static Cancellation of(AtomicBoolean cancelled, Instant deadline) {
        return new Cancellation(null, cancelled, deadline);
    }

    /** Throws when the caller is gone; {@code where} says how far the request got. */
    void check(String modelId, int segmentsDone, int segments) {
        String why = null;
        if (caller != null && caller.isInterrupted()) {
            why = "its caller was interrupted (session closed)";
        } else if (cancelled != null && cancelled.get()) {
            why = "its caller cancelled it";
        } else if (deadline != null && Instant.now().isAfter(deadline)) {
            why = "its deadline " + deadline + " passed";
        }
        if (why != null) {
            throw new RequestCancelledException("request on " + modelId + " stopped after " + segmentsDone + " of "
                    + segments + " segment(s): " + why);
        }
    }
}
