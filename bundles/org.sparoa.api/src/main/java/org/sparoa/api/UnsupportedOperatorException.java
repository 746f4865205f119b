package org.sparoa.api;

/** An operator that no (or not the requested) backend can run. */
public class UnsupportedOperatorException extends SparoaException {
    private static final long serialVersionUID = 1L;

    public UnsupportedOperatorException(String message) {
        super(message);
    }

    public UnsupportedOperatorException(String message, Throwable cause) {
        super(message, cause);
    }
}
