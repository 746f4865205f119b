package org.sparoa.engine;

import org.sparoa.api.CompiledSegment;
import org.sparoa.api.Segment;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.ForwardingDeviceBackend;

/** A real backend under test control: everything but {@link #compile} is the delegate's. */
abstract class DelegatingBackend extends ForwardingDeviceBackend {
    protected final DeviceBackend delegate;

    DelegatingBackend(DeviceBackend delegate) {
        super(delegate);
        this.delegate = delegate;
    }

    @Override
    public abstract CompiledSegment compile(Segment segment);

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
