package org.sparoa.engine;

import java.util.Set;

import org.sparoa.api.CompiledSegment;
import org.sparoa.api.Segment;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.DeviceKind;
import org.sparoa.api.DeviceState;
import org.sparoa.api.Graph;
import org.sparoa.api.Node;

/** A real backend under test control: everything but {@link #compile} is the delegate's. */
abstract class DelegatingBackend implements DeviceBackend {
    protected final DeviceBackend delegate;

    DelegatingBackend(DeviceBackend delegate) {
        this.delegate = delegate;
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
    public DeviceState state() {
        return delegate.state();
    }

    /** A segment compiled by the delegate, run the way a subclass says; closing closes the delegate's. */
    abstract class WrappedSegment implements CompiledSegment {
        protected final Segment segment;
        protected final CompiledSegment inner;

        WrappedSegment(Segment segment) {
            this.segment = segment;
            this.inner = delegate.compile(segment);
        }

        @Override
        public Segment segment() {
            return segment;
        }

        @Override
        public String backendId() {
            return id();
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
