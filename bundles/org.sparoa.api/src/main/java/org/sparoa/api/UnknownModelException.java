package org.sparoa.api;

/** A model id that is not loaded. */
public class UnknownModelException extends SparoaException {
    private static final long serialVersionUID = 1L;

    public UnknownModelException(String message) {
        super(message);
    }

    public UnknownModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
