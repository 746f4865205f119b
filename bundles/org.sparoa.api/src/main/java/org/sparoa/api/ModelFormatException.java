package org.sparoa.api;

/** A file that is not a valid ONNX model, or a model the platform cannot import. */
public class ModelFormatException extends SparoaException {
    private static final long serialVersionUID = 1L;

    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
