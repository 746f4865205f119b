package org.sparoa.api;

/**
 * A request stopped before it finished because its caller is gone: its deadline passed, its thread was interrupted
 * (a closed shell session) or its future was cancelled. It stops at the next segment boundary.
 */
public class RequestCancelledException extends SparoaException {
    private static final long serialVersionUID = 1L;

    public RequestCancelledException(String message) {
        super(message);
    }
}
