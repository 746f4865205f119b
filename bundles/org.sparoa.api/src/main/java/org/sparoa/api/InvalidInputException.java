package org.sparoa.api;

/** A request input that is missing, unknown, of the wrong type or shape, or not finite. */
public class InvalidInputException extends SparoaException {
    private static final long serialVersionUID = 1L;

    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
