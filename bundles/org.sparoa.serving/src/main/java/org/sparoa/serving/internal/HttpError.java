package org.sparoa.serving.internal;

import java.util.Map;

/** An answer other than 200, with the message that goes into {@code {"error": ...}}. */
final class HttpError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final transient Map<String, String> headers;

    HttpError(int status, String message) {
        this(status, message, Map.of());
    }

    HttpError(int status, String message, Map<String, String> headers) {
        super(message);
        this.status = status;
        this.headers = headers;
    }

    static HttpError badRequest(String message) {
        return new HttpError(400, message);
    }

    static HttpError notFound(String message) {
        return new HttpError(404, message);
    }
}
