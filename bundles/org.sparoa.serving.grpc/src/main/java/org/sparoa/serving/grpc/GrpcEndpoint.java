package org.sparoa.serving.grpc;

import java.net.InetSocketAddress;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A running {@code inference.GRPCInferenceService} endpoint. Registered while it listens, with the service properties
 * {@value #PROPERTY_KIND}={@value #KIND} and {@value #PROPERTY_ADDRESS}=host:port, so that a reader needs no class of
 * this bundle to find it.
 */
@ProviderType
public interface GrpcEndpoint {
    String PROPERTY_KIND = "sparoa.endpoint";
    String KIND = "grpc";
    String PROPERTY_ADDRESS = "sparoa.endpoint.address";

    /** The address the endpoint listens on (the real port, also when port 0 was configured). */
    InetSocketAddress address();
}
