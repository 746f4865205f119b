package org.sparoa.serving.grpc.client;

/** A gRPC call that ended with a status other than OK: the status code's name and the server's message. */
public class GrpcCallException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String code;

    public GrpcCallException(String code, String message, Throwable cause) {
        super(code + ": " + message, cause);
        this.code = code;
    }

    /** The gRPC status code's name, e.g. {@code NOT_FOUND}, {@code INVALID_ARGUMENT}. */
    public String code() {
        return code;
    }
}
