package org.sparoa.api;

import java.util.OptionalDouble;
import java.util.Set;

/**
 * A device backend that passes every call to another: a base for wrappers that change one thing (its id, what it
 * supports, how its segments run), e.g. in tests and benchmarks.
 *
 * @since 1.11
 */
public abstract class ForwardingDeviceBackend implements DeviceBackend {
    private final DeviceBackend delegate;

    protected ForwardingDeviceBackend(DeviceBackend delegate) {
        this.delegate = java.util.Objects.requireNonNull(delegate, "delegate");
    }

    /** The backend this one passes calls to. */
    protected final DeviceBackend delegate() {
        return delegate;
    }

    @Override
    public String id() {
        return delegate.id();
    }

    @Override
    public DeviceKind kind() {
        return delegate.kind();
    }

    @Override
    public Set<String> supportedOperators() {
        return delegate.supportedOperators();
    }

    @Override
    public boolean supports(Node node, Graph graph) {
        return delegate.supports(node, graph);
    }

    @Override
    public CompiledSegment compile(Segment segment) {
        return delegate.compile(segment);
    }

    @Override
    public DeviceState state() {
        return delegate.state();
    }

    @Override
    public OptionalDouble estimateMillis(Node node, Graph graph) {
        return delegate.estimateMillis(node, graph);
    }
}
