package org.sparoa.engine.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import org.sparoa.api.BoundaryCost;
import org.sparoa.api.CostModel;
import org.sparoa.api.Model;
import org.sparoa.api.Node;

/**
 * The cost model of one scheduling decision. Operators were measured one at a time as one-operator segments, so
 * each measurement also holds the backend's fixed cost per segment and the moves of the operator's inputs and
 * outputs in and out of the backend; both are taken out here, with the backend's measured {@link
 * BoundaryCost}, and priced where a plan really pays them: once per segment, and once per tensor
 * handed from one backend to another.
 */
final class MeasuredCostModel implements CostModel {
    private final Model model;
    private final ModelShapes shapes;
    private final CostProfileStore store;
    private final Map<String, BoundaryCost> boundaries;
    private final Map<String, String> signatures = new HashMap<>();

    MeasuredCostModel(Model model, ModelShapes shapes, CostProfileStore store,
                      Map<String, BoundaryCost> boundaries) {
        this.model = model;
        this.shapes = shapes;
        this.store = store;
        this.boundaries = Map.copyOf(boundaries);
        model.graph().nodes().forEach(n -> signatures.put(n.name(), OperatorSignature.of(n, model.graph(), shapes.shapes())));
    }

    @Override
    public OptionalDouble operatorMillis(String backendId, Node node) {
        String sig = signatures.get(node.name());
        OptionalDouble measured = sig == null ? OptionalDouble.empty() : store.get(backendId, sig);
        if (measured.isEmpty()) {
            return measured;
        }
        BoundaryCost b = boundary(backendId);
        long moved = BoundaryCost.activationBytes(model.graph(), node, t -> shapes.bytesOf(t).orElse(0));
        return OptionalDouble.of(b.ownMillis(measured.getAsDouble(), moved));
    }

    @Override
    public double segmentMillis(String backendId) {
        return boundary(backendId).segmentMillis();
    }

    @Override
    public double transferMillis(String fromBackendId, String toBackendId, String tensorName) {
        if (fromBackendId.equals(toBackendId)) {
            return 0;
        }
        long bytes = shapes.bytesOf(tensorName).orElse(0);
        return boundary(fromBackendId).moveMillis(bytes) + boundary(toBackendId).moveMillis(bytes);
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

    private BoundaryCost boundary(String backendId) {
        return boundaries.getOrDefault(backendId, BoundaryCost.UNKNOWN);
    }
}
