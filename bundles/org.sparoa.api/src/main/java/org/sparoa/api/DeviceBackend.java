package org.sparoa.api;

import java.util.OptionalDouble;
import java.util.Set;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A processor that runs model segments: the plugin SPI for devices. Implementations register as OSGi services
 * with the properties {@value #PROP_ID} and {@value #PROP_KIND}. A backend that cannot start (no driver, no
 * native library) logs why and registers nothing.
 */
@ConsumerType
public interface DeviceBackend {
    String PROP_ID = "sparoa.backend.id";
    String PROP_KIND = "sparoa.device.kind";

    /** Unique id, e.g. {@code ort-cpu}. */
    String id();

    DeviceKind kind();

    /** Operator types (default ONNX domain) this backend can run at all. */
    Set<String> supportedOperators();

    /** Whether this backend can run this operator of that graph, attributes and element types included. */
    default boolean supports(Node node, Graph graph) {
        return node.domain().isEmpty() && supportedOperators().contains(node.opType());
    }

    /** Prepares a segment for repeated execution. Throws {@link BackendException} naming what it cannot run. */
    CompiledSegment compile(Segment segment);

    DeviceState state();

    /** Estimated time of one operator on this backend, where the backend has measured or modelled it. */
    default OptionalDouble estimateMillis(Node node, Graph graph) {
        return OptionalDouble.empty();
    }
}
