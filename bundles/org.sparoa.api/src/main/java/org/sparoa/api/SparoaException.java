package org.sparoa.api;

/** Base of the platform's errors. Messages name what is wrong and where, in one line. */
public class SparoaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SparoaException(String message) {
        super(message);
    }

    public SparoaException(String message, Throwable cause) {
        super(message, cause);
    }
}
