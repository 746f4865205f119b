package org.sparoa.batching;

import org.sparoa.api.SparoaException;

/** A model's queue is full: the request was refused before it was queued. Try again after {@link #retryAfterMillis()}. */
public class QueueFullException extends SparoaException {
    private static final long serialVersionUID = 1L;
    private final long retryAfterMillis;

    public QueueFullException(String message, long retryAfterMillis) {
        super(message);
        this.retryAfterMillis = retryAfterMillis;
    }

    public long retryAfterMillis() {
        return retryAfterMillis;
    }
}
