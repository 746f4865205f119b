package org.sparoa.engine.internal;

import org.sparoa.api.BackendException;

/** A plan could not be built because one of its backends left meanwhile; the request is re-planned. */
final class BackendDepartedException extends BackendException {
    private static final long serialVersionUID = 1L;

    BackendDepartedException(String message, Throwable cause) {
        super(message, cause);
    }
}
