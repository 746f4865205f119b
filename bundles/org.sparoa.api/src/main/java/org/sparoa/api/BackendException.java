package org.sparoa.api;

/** A backend failed to compile or run a segment, or is not available. */
public class BackendException extends SparoaException {
    private static final long serialVersionUID = 1L;

    public BackendException(String message) {
        super(message);
    }

    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
