package org.sparoa.api;

import java.util.OptionalDouble;

import org.osgi.annotation.versioning.ProviderType;

/** What a scheduling policy sees of a live backend. */
@ProviderType
public interface BackendView {

    String id();

    DeviceKind kind();

    DeviceState state();

    /** Service ranking: higher is preferred. */
    int ranking();

    boolean supports(Node node);

    OptionalDouble estimateMillis(Node node);
}
