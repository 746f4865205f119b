package org.sparoa.policy.sac.internal;

import java.util.OptionalDouble;

import org.sparoa.api.BackendView;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.DeviceKind;
import org.sparoa.api.DeviceState;
import org.sparoa.api.Graph;
import org.sparoa.api.Node;

/** A live backend service as a policy sees it, over one graph (for training outside a scheduling decision). */
record DeviceBackendView(DeviceBackend backend, Graph graph) implements BackendView {

    @Override
    public String id() {
        return backend.id();
    }

    @Override
    public DeviceKind kind() {
        return backend.kind();
    }

    @Override
    public DeviceState state() {
        return backend.state();
    }

    @Override
    public int ranking() {
        return 0;
    }

    @Override
    public boolean supports(Node node) {
        return backend.supports(node, graph);
    }

    @Override
    public OptionalDouble estimateMillis(Node node) {
        return backend.estimateMillis(node, graph);
    }
}
