package org.sparoa.engine.internal;

import java.util.OptionalDouble;

import org.sparoa.api.BackendView;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.DeviceKind;
import org.sparoa.api.DeviceState;
import org.sparoa.api.Graph;
import org.sparoa.api.Node;

/** A live backend as one scheduling decision sees it. */
record LiveBackendView(Ranked<DeviceBackend> entry, Graph graph) implements BackendView {

    DeviceBackend backend() {
        return entry.service();
    }

    @Override
    public String id() {
        return entry.key();
    }

    @Override
    public DeviceKind kind() {
        return entry.service().kind();
    }

    @Override
    public DeviceState state() {
        return entry.service().state();
    }

    @Override
    public int ranking() {
        return entry.ranking();
    }

    @Override
    public boolean supports(Node node) {
        return entry.service().supports(node, graph);
    }

    @Override
    public OptionalDouble estimateMillis(Node node) {
        return entry.service().estimateMillis(node, graph);
    }
}
