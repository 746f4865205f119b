package org.sparoa.policy.sac.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import org.sparoa.api.BoundaryCost;
import org.sparoa.api.CostModel;
import org.sparoa.api.Graph;
import org.sparoa.api.Node;
import org.sparoa.api.OperatorProfiler;
import org.sparoa.api.Shapes;
import org.sparoa.api.TensorInfo;

/**
 * A cost model from the {@link OperatorProfiler}'s measurements alone, for training where the engine's own cost model
 * is not at hand. Each measurement ran one operator as its own segment, so it also holds the backend's fixed cost
 * per segment and the moves of the operator's activations in and out. Where the profiler knows a backend's measured
 * {@link BoundaryCost} (the engine's does), both are taken out with it ({@link BoundaryCost#ownMillis}, as the engine's
 * cost model does) and hand-overs are priced with it; otherwise the segment cost is <em>estimated</em> as half the
 * backend's smallest measurement and taken out of each operator (keeping at least a tenth of it), and a hand-over is
 * <em>estimated</em> from the tensor's declared size at {@link #COPY_BYTES_PER_MILLI} bytes per millisecond. Tensors
 * without a static declared shape cost nothing to move.
 */
final class ProfiledCosts implements CostModel {
    /** Assumed copy rate of a hand-over between two backends of one machine: 4 GB/s. */
    static final double COPY_BYTES_PER_MILLI = 4e6;

    private final Graph graph;
    private final Map<String, Double> measured = new HashMap<>();
    private final Map<String, Double> segment = new HashMap<>();
    private final Map<String, BoundaryCost> boundaries;

    ProfiledCosts(Graph graph, List<OperatorProfiler.Measurement> measurements) {
        this(graph, measurements, Map.of());
    }

    ProfiledCosts(Graph graph, List<OperatorProfiler.Measurement> measurements, Map<String, BoundaryCost> boundaries) {
        this.graph = graph;
        this.boundaries = Map.copyOf(boundaries);
        Map<String, Double> smallest = new HashMap<>();
        for (OperatorProfiler.Measurement m : measurements) {
            if (Double.isFinite(m.millis()) && m.millis() >= 0) {
                measured.put(m.backendId() + "\u0000" + m.node(), m.millis());
                smallest.merge(m.backendId(), m.millis(), Math::min);
            }
        }
        smallest.forEach((b, ms) -> segment.put(b, ms / 2));
        if (measured.isEmpty()) {
            throw new IllegalArgumentException("no operator of " + graph.name() + " was measured on any backend");
        }
    }

    @Override
    public OptionalDouble operatorMillis(String backendId, Node node) {
        Double all = measured.get(backendId + "\u0000" + node.name());
        if (all == null) {
            return OptionalDouble.empty();
        }
        BoundaryCost b = boundaries.get(backendId);
        if (b != null) {
            long moved = BoundaryCost.activationBytes(graph, node, t -> tensorBytes(t).orElse(0));
            return OptionalDouble.of(b.ownMillis(all, moved));
        }
        return OptionalDouble.of(Math.max(all - segmentMillis(backendId), BoundaryCost.MIN_OWN_SHARE * all));
    }

    @Override
    public double segmentMillis(String backendId) {
        BoundaryCost b = boundaries.get(backendId);
        return b != null ? b.segmentMillis() : segment.getOrDefault(backendId, 0.0);
    }

    @Override
    public double transferMillis(String fromBackendId, String toBackendId, String tensorName) {
        if (fromBackendId.equals(toBackendId)) {
            return 0;
        }
        long bytes = tensorBytes(tensorName).orElse(0);
        BoundaryCost from = boundaries.get(fromBackendId);
        BoundaryCost to = boundaries.get(toBackendId);
        if (from != null && to != null) {
            return from.moveMillis(bytes) + to.moveMillis(bytes);
        }
        return bytes / COPY_BYTES_PER_MILLI;
    }

    @Override
    public OptionalLong tensorBytes(String tensorName) {
        return graph.info(tensorName).filter(TensorInfo::hasStaticShape)
                .map(i -> OptionalLong.of(Shapes.elementCount(i.shape()) * i.type().byteSize()))
                .orElse(OptionalLong.empty());
    }
}
