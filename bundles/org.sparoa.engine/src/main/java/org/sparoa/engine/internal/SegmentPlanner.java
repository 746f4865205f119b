package org.sparoa.engine.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.sparoa.api.DataType;
import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Placement;
import org.sparoa.api.Segment;
import org.sparoa.api.TensorInfo;
import org.sparoa.onnx.OnnxSegments;

/**
 * Turns a placement into segments: maximal runs of consecutive operators (in topological order) on one backend.
 * Because every segment only consumes tensors of earlier segments, the segments form a DAG that can run in
 * order, or concurrently where they do not depend on each other.
 */
final class SegmentPlanner {
    private SegmentPlanner() {
    }

    /** A segment and the backend it was placed on. */
    record PlannedSegment(Segment segment, String backendId) {
    }

    static List<PlannedSegment> plan(Model model, Placement placement, boolean captureIntermediates) {
        Graph graph = model.graph();
        List<PlannedSegment> out = new ArrayList<>();
        List<Node> run = new ArrayList<>();
        String runBackend = null;
        for (Node n : graph.nodes()) {
            String b = placement.backendOf(n.name());
            if (runBackend != null && !runBackend.equals(b)) {
                out.add(segment(model, out.size(), run, runBackend, captureIntermediates));
                run = new ArrayList<>();
            }
            runBackend = b;
            run.add(n);
        }
        if (!run.isEmpty()) {
            out.add(segment(model, out.size(), run, runBackend, captureIntermediates));
        }
        return out;
    }

    private static PlannedSegment segment(Model model, int index, List<Node> nodes, String backendId,
                                          boolean captureIntermediates) {
        Graph graph = model.graph();
        Set<String> inside = new HashSet<>();
        Set<String> produced = new HashSet<>();
        for (Node n : nodes) {
            inside.add(n.name());
            n.outputs().stream().filter(s -> !s.isEmpty()).forEach(produced::add);
        }
        Set<String> ins = new LinkedHashSet<>();
        Set<String> outs = new LinkedHashSet<>();
        for (Node n : nodes) {
            for (String in : n.inputs()) {
                if (!in.isEmpty() && !produced.contains(in) && !graph.isWeight(in)) {
                    ins.add(in);
                }
            }
            for (String o : n.outputs()) {
                // a captured intermediate is one something uses: a dead output is never asked for
                if (!o.isEmpty() && (graph.isGraphOutput(o) || (captureIntermediates && graph.isUsed(o))
                        || graph.consumers(o).stream().anyMatch(c -> !inside.contains(c.name())))) {
                    outs.add(o);
                }
            }
        }
        List<TensorInfo> inputs = ins.stream().map(t -> info(graph, t)).toList();
        List<TensorInfo> outputs = outs.stream().map(t -> info(graph, t)).toList();
        List<Node> segmentNodes = List.copyOf(nodes);
        String name = model.id() + "_segment" + index;
        Segment s = new Segment(index, model, segmentNodes, inputs, outputs,
                () -> OnnxSegments.cut(model, name, segmentNodes, inputs, outputs));
        return new PlannedSegment(s, backendId);
    }

    private static TensorInfo info(Graph graph, String tensor) {
        return graph.info(tensor).orElseGet(() -> new TensorInfo(tensor, DataType.FLOAT, null));
    }

    static Map<String, Integer> producerSegments(List<PlannedSegment> segments) {
        Map<String, Integer> m = new java.util.HashMap<>();
        for (PlannedSegment p : segments) {
            for (TensorInfo o : p.segment().outputs()) {
                m.put(o.name(), p.segment().index());
            }
        }
        return m;
    }
}
