package org.sparoa.api;

/**
 * A request or a model over one of the platform's configured resource limits (model file size, elements of an input
 * or intermediate tensor, concurrent requests per model); raised before anything large is allocated.
 */
public class ResourceLimitException extends SparoaException {
    private static final long serialVersionUID = 1L;

    public ResourceLimitException(String message) {
        super(message);
    }
}
