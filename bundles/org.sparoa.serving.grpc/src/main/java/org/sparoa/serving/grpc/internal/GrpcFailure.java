package org.sparoa.serving.grpc.internal;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import org.sparoa.api.InvalidInputException;
import org.sparoa.api.ModelFormatException;
import org.sparoa.api.RequestCancelledException;
import org.sparoa.api.ResourceLimitException;
import org.sparoa.api.SparoaException;
import org.sparoa.api.UnknownModelException;
import org.sparoa.batching.DeadlineExceededException;
import org.sparoa.batching.QueueFullException;

/** Maps the platform's errors to gRPC status codes, keeping their messages (which name what is wrong). */
final class GrpcFailure {
    private GrpcFailure() {
    }

    static StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }

    static StatusRuntimeException notFound(String message) {
        return Status.NOT_FOUND.withDescription(message).asRuntimeException();
    }

    static StatusRuntimeException of(Throwable t) {
        if (t instanceof StatusRuntimeException s) {
            return s;
        }
        Status status;
        if (t instanceof UnknownModelException) {
            status = Status.NOT_FOUND;
        } else if (t instanceof InvalidInputException || t instanceof ModelFormatException
                || t instanceof IllegalArgumentException) {
            status = Status.INVALID_ARGUMENT;
        } else if (t instanceof QueueFullException q) {
            return Status.UNAVAILABLE.withDescription(t.getMessage() + " (retry after " + q.retryAfterMillis()
                    + " ms)").asRuntimeException();
        } else if (t instanceof DeadlineExceededException) {
            status = Status.DEADLINE_EXCEEDED;
        } else if (t instanceof RequestCancelledException) {
            status = Status.CANCELLED;
        } else if (t instanceof ResourceLimitException) {
            status = Status.RESOURCE_EXHAUSTED;
        } else if (t instanceof SparoaException) {
            status = Status.INTERNAL;
        } else {
            return Status.INTERNAL.withDescription("internal error: " + t).withCause(t).asRuntimeException();
        }
        return status.withDescription(t.getMessage()).asRuntimeException();
    }
}
