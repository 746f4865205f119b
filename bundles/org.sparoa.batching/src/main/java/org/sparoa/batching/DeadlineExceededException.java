package org.sparoa.batching;

import org.sparoa.api.SparoaException;

/** A request's time ran out before its answer was ready. */
public class DeadlineExceededException extends SparoaException {
    private static final long serialVersionUID = 1L;

    public DeadlineExceededException(String message) {
        super(message);
    }
}
