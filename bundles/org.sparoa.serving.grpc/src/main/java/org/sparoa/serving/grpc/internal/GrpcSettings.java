package org.sparoa.serving.grpc.internal;

import java.nio.file.Path;

/**
 * The gRPC endpoint's address and limits.
 *
 * @param host the address to listen on (loopback by default)
 * @param port the port (Triton's default is 8001; 0: a free one)
 * @param maxMessageBytes a larger request message is refused with RESOURCE_EXHAUSTED before it is parsed
 * @param maxTensorElements an input with more elements is refused with INVALID_ARGUMENT
 * @param rejectNonFinite refuse NaN and Inf in FP32/FP64 inputs with INVALID_ARGUMENT
 * @param requestTimeoutMillis how long an infer may take, queue included, when the client sets no deadline (0: the
 *                             batching engine's default)
 * @param modelRepository where RepositoryModelLoad finds {@code NAME.onnx} (null: none)
 */
public record GrpcSettings(String host, int port, int maxMessageBytes, long maxTensorElements, boolean rejectNonFinite,
                           long requestTimeoutMillis, Path modelRepository) {

    public GrpcSettings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("gRPC port must be 0..65535, got " + port);
        }
        if (maxMessageBytes < 1024) {
            throw new IllegalArgumentException("gRPC maxMessageBytes must be at least 1024, got " + maxMessageBytes);
        }
        if (maxTensorElements < 1) {
            throw new IllegalArgumentException("gRPC maxTensorElements must be positive, got " + maxTensorElements);
        }
    }

    /** Loopback, a free port, the defaults of the configuration. */
    public static GrpcSettings loopbackFreePort(Path repository) {
        return new GrpcSettings("127.0.0.1", 0, 64 << 20, 16L << 20, true, 0, repository);
    }
}
