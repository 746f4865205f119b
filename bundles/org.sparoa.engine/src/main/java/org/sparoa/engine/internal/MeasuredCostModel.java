package org.sparoa.engine.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import org.sparoa.api.CostModel;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.Model;
import org.sparoa.api.Node;

/**
 * The cost model of one scheduling decision: operator times measured on the live backends (else the backend's
 * own estimate), and transfers priced as the receiving backend's launch floor plus the bytes over the measured
 * copy bandwidth of this machine.
 */
final class MeasuredCostModel implements CostModel {
    private static final double COPY_BYTES_PER_MS = CopyBandwidth.bytesPerMillisecond();

    private final Model model;
    private final ModelShapes shapes;
    private final CostProfileStore store;
    private final Map<String, DeviceBackend> backends = new HashMap<>();
    private final Map<String, String> signatures = new HashMap<>();

    MeasuredCostModel(Model model, ModelShapes shapes, CostProfileStore store, List<Ranked<DeviceBackend>> live) {
        this.model = model;
        this.shapes = shapes;
        this.store = store;
        live.forEach(r -> backends.put(r.key(), r.service()));
        model.graph().nodes().forEach(n -> signatures.put(n.name(), OperatorSignature.of(n, model.graph(), shapes.shapes())));
    }

    @Override
    public OptionalDouble operatorMillis(String backendId, Node node) {
        String sig = signatures.get(node.name());
        OptionalDouble measured = sig == null ? OptionalDouble.empty() : store.get(backendId, sig);
        if (measured.isPresent()) {
            return measured;
        }
        DeviceBackend b = backends.get(backendId);
        return b == null ? OptionalDouble.empty() : b.estimateMillis(node, model.graph());
    }

    @Override
    public double transferMillis(String fromBackendId, String toBackendId, String tensorName) {
        if (fromBackendId.equals(toBackendId)) {
            return 0;
        }
        long bytes = shapes.bytesOf(tensorName).orElse(0);
        return store.floor(toBackendId).orElse(0) + bytes / COPY_BYTES_PER_MS;
    }

    @Override
    public OptionalLong tensorBytes(String tensorName) {
        OptionalLong b = shapes.bytesOf(tensorName);
        if (b.isPresent()) {
            return b;
        }
        var w = model.graph().weights().get(tensorName);
        return w == null ? OptionalLong.empty() : OptionalLong.of(w.byteSize());
    }
}
