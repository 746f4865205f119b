package org.sparoa.engine.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.api.CompiledSegment;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.OperatorProfiler.Measurement;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;
import org.sparoa.onnx.OnnxSegments;

/**
 * Measures operators one at a time: each becomes a one-operator segment, compiled by the backend and run on the
 * real tensors a calibration run produced, a few times within a small time budget; the fastest is stored under the
 * operator's signature so that equal operators (here or in other models) are measured once.
 */
final class OperatorCostProfiler {
    private static final Logger LOG = LoggerFactory.getLogger(OperatorCostProfiler.class);
    /** Untimed runs first (one, then more within 60 ms): a Java backend runs its first calls slower, before the JIT. */
    private static final SegmentTiming.Runs UNTIMED = new SegmentTiming.Runs(1, 10, 60_000_000L);
    /** Timed runs: three, then more within 60 ms. */
    private static final SegmentTiming.Runs TIMED = new SegmentTiming.Runs(3, 7, 60_000_000L);

    private final CostProfileStore store;

    OperatorCostProfiler(Path file) {
        this.store = new CostProfileStore(file);
    }

    CostProfileStore store() {
        return store;
    }

    /** The cost model of a model calibrated as {@code calibration}, with the live backends' boundary costs. */
    MeasuredCostModel costModel(Model model, org.sparoa.api.analysis.Calibration calibration,
                                Map<String, org.sparoa.api.BoundaryCost> boundaries) {
        return new MeasuredCostModel(model, ModelShapes.of(calibration), store, boundaries);
    }

    /** True when every operator has a measurement on every live backend that supports it. */
    boolean isProfiled(Model model, List<Ranked<DeviceBackend>> live, org.sparoa.api.analysis.Calibration calibration) {
        Map<String, long[]> shapes = ModelShapes.of(calibration).shapes();
        for (Node n : model.graph().nodes()) {
            String sig = OperatorSignature.of(n, model.graph(), shapes);
            for (Ranked<DeviceBackend> b : live) {
                if (b.service().supports(n, model.graph()) && store.get(b.key(), sig).isEmpty()) {
                    return false;
                }
            }
        }
        return true;
    }

    List<Measurement> profile(Model model, Map<String, Tensor> tensors, List<Ranked<DeviceBackend>> live,
                              boolean remeasure) {
        Map<String, long[]> shapeMap = ModelShapes.of(tensors).shapes();
        List<Measurement> out = new ArrayList<>();
        for (Node node : model.graph().nodes()) {
            String sig = OperatorSignature.of(node, model.graph(), shapeMap);
            for (Ranked<DeviceBackend> b : live) {
                if (!b.service().supports(node, model.graph())) {
                    continue;
                }
                var cached = store.get(b.key(), sig);
                if (cached.isPresent() && !remeasure) {
                    out.add(new Measurement(node.name(), node.opType(), b.key(), cached.getAsDouble(), true));
                    continue;
                }
                try {
                    double ms = measure(model, node, tensors, b.service());
                    store.put(b.key(), sig, ms);
                    out.add(new Measurement(node.name(), node.opType(), b.key(), ms, false));
                } catch (RuntimeException e) {
                    LOG.warn("Cannot profile {} ({}) on {}: {}", node.name(), node.opType(), b.key(), e.getMessage());
                }
            }
        }
        store.save();
        return out;
    }

    private static double measure(Model model, Node node, Map<String, Tensor> tensors, DeviceBackend backend) {
        List<TensorInfo> ins = new ArrayList<>();
        Map<String, Tensor> feed = new HashMap<>();
        for (String in : node.inputs()) {
            if (in.isEmpty() || model.graph().isWeight(in) || feed.containsKey(in)) {
                continue;
            }
            Tensor t = tensors.get(in);
            if (t == null) {
                throw new IllegalStateException("no calibration tensor for input " + in);
            }
            feed.put(in, t);
            ins.add(new TensorInfo(in, t.type(), t.shape()));
        }
        // as in a plan's segments, a dead output is not asked for, unless all of the operator's outputs are dead:
        // then its first is, so that the operator is still measured
        List<String> named = node.outputs().stream().filter(o -> !o.isEmpty()).toList();
        List<String> used = named.stream().filter(model.graph()::isUsed).toList();
        List<TensorInfo> outs = new ArrayList<>();
        for (String o : used.isEmpty() ? named.stream().limit(1).toList() : used) {
            Tensor t = tensors.get(o);
            outs.add(t == null ? model.graph().info(o).orElse(new TensorInfo(o, null, null))
                    : new TensorInfo(o, t.type(), t.shape()));
        }
        List<Node> nodes = List.of(node);
        Segment segment = new Segment(0, model, nodes, ins, outs,
                () -> OnnxSegments.cut(model, model.id() + "_op", nodes, ins, outs));
        try (CompiledSegment c = backend.compile(segment)) {
            return SegmentTiming.fastestMillis(c, feed, UNTIMED, TIMED);
        }
    }
}
