package org.sparoa.sim;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.sparoa.api.analysis.OperatorMetrics;
import org.sparoa.api.Graph;
import org.sparoa.api.Node;
import org.sparoa.api.TensorInfo;

/**
 * Simulates a placement of a model's operators on a board: operators run one after another in topological order;
 * a tensor used on another device than the one that made it is handed over once per device that uses it; the
 * request's inputs start on the host CPU and its outputs end there. Also searches the best placement of the
 * operator chain under the simulator ({@link #bestChain}), the oracle that policies are compared with.
 */
public final class PlanSimulator {
    private final RooflineSimulator simulator;
    private final Graph graph;
    private final Map<String, OperatorMetrics> metrics;

    /** {@code metrics}: the analyzer's metrics of every operator of {@code graph}, by node name. */
    public PlanSimulator(RooflineSimulator simulator, Graph graph, Map<String, OperatorMetrics> metrics) {
        this.simulator = simulator;
        this.graph = graph;
        this.metrics = Map.copyOf(metrics);
        for (Node n : graph.nodes()) {
            if (!metrics.containsKey(n.name())) {
                throw new IllegalArgumentException("no analysis of operator " + n.name() + " (" + n.opType() + ")");
            }
        }
    }

    /** Every operator on one device (it must run them all). */
    public SimulatedPlan single(String deviceId) {
        Map<String, String> placement = new HashMap<>();
        graph.nodes().forEach(n -> placement.put(n.name(), deviceId));
        return simulate(placement);
    }

    public SimulatedPlan simulate(Map<String, String> deviceByNode) {
        String host = simulator.board().host().id();
        Map<String, String> producedOn = new HashMap<>();
        Set<String> handedOver = new HashSet<>();
        TimeRange total = TimeRange.ZERO;
        TimeRange handOvers = TimeRange.ZERO;
        int count = 0;
        int segments = 0;
        String previous = null;
        Map<String, Integer> perDevice = new TreeMap<>();
        for (Node n : graph.nodes()) {
            String device = deviceByNode.get(n.name());
            if (device == null) {
                throw new IllegalArgumentException("the placement leaves operator " + n.name() + " unplaced");
            }
            for (String t : n.inputs()) {
                if (t.isEmpty() || graph.isWeight(t)) {
                    continue;
                }
                String from = producedOn.getOrDefault(t, host);
                if (!from.equals(device) && handedOver.add(t + "@" + device)) {
                    TimeRange h = simulator.handOver(bytes(t), from, device);
                    handOvers = handOvers.plus(h);
                    count++;
                }
            }
            total = total.plus(simulator.operator(n, metrics.get(n.name()), device));
            n.outputs().forEach(o -> producedOn.put(o, device));
            perDevice.merge(device, 1, Integer::sum);
            if (!device.equals(previous)) {
                segments++;
                previous = device;
            }
        }
        for (TensorInfo out : graph.outputs()) {
            String from = producedOn.getOrDefault(out.name(), host);
            if (!from.equals(host)) {
                handOvers = handOvers.plus(simulator.handOver(bytes(out.name()), from, host));
                count++;
            }
        }
        return new SimulatedPlan(simulator.board().name(), total.plus(handOvers), handOvers, count, segments,
                perDevice, deviceByNode);
    }

    /**
     * Simulates a placement as the engine runs it: maximal runs of consecutive operators (topological order) on one
     * device are segments; a segment starts when its device has finished its earlier segments and every tensor it
     * reads is made (its outputs are all made when it ends), copies in what it reads from other devices (once per
     * tensor and device, as {@link #simulate}) and runs its operators one after another; so segments on different
     * devices that do not need each other overlap. The latency is when the last output is back on the host. For a
     * placement whose segments each need the one before, it equals {@link #simulate}'s; never more than it.
     *
     * @since 1.2
     */
    public SimulatedPlan simulateOverlapped(Map<String, String> deviceByNode) {
        SimulatedPlan oneAfterAnother = simulate(deviceByNode);
        return new SimulatedPlan(oneAfterAnother.board(), overlappedLatency(deviceByNode), oneAfterAnother.handOvers(),
                oneAfterAnother.handOverCount(), oneAfterAnother.segments(), oneAfterAnother.operatorsPerDevice(),
                deviceByNode);
    }

    /**
     * {@link #simulateOverlapped}'s latency, each bound of the simulator's ranges on its own: optimistic times wait
     * for optimistic times ({@link #later}), expected for expected, pessimistic for pessimistic.
     */
    private TimeRange overlappedLatency(Map<String, String> deviceByNode) {
        String host = simulator.board().host().id();
        List<Node> nodes = graph.nodes();
        Map<String, String> producedOn = new HashMap<>();
        Map<String, TimeRange> madeAt = new HashMap<>();
        Map<String, TimeRange> freeAt = new HashMap<>();
        Set<String> handedOver = new HashSet<>();
        TimeRange last = TimeRange.ZERO;
        int first = 0;
        while (first < nodes.size()) {
            String device = deviceByNode.get(nodes.get(first).name());
            int end = first;
            while (end < nodes.size() && device.equals(deviceByNode.get(nodes.get(end).name()))) {
                end++;
            }
            TimeRange start = freeAt.getOrDefault(device, TimeRange.ZERO);
            TimeRange busy = TimeRange.ZERO;
            for (Node n : nodes.subList(first, end)) {
                for (String t : n.inputs()) {
                    if (t.isEmpty() || graph.isWeight(t)) {
                        continue;
                    }
                    String from = producedOn.getOrDefault(t, host);
                    if (!from.equals(device) || madeAt.containsKey(t)) {
                        start = later(start, madeAt.getOrDefault(t, TimeRange.ZERO));
                    }
                    if (!from.equals(device) && handedOver.add(t + "@" + device)) {
                        busy = busy.plus(simulator.handOver(bytes(t), from, device));
                    }
                }
                busy = busy.plus(simulator.operator(n, metrics.get(n.name()), device));
                n.outputs().forEach(o -> producedOn.put(o, device));
            }
            TimeRange done = start.plus(busy);
            for (Node n : nodes.subList(first, end)) {
                n.outputs().forEach(o -> madeAt.put(o, done));
            }
            freeAt.put(device, done);
            last = later(last, done);
            first = end;
        }
        for (TensorInfo out : graph.outputs()) {
            String from = producedOn.getOrDefault(out.name(), host);
            TimeRange made = madeAt.getOrDefault(out.name(), TimeRange.ZERO);
            last = later(last, from.equals(host) ? made : made.plus(simulator.handOver(bytes(out.name()), from, host)));
        }
        return last;
    }

    /** The later of two times, bound by bound. */
    private static TimeRange later(TimeRange a, TimeRange b) {
        return new TimeRange(Math.max(a.low(), b.low()), Math.max(a.expected(), b.expected()),
                Math.max(a.high(), b.high()));
    }

    /**
     * The placement of the operator chain (topological order) that minimises the expected simulated time, where
     * moving from one operator's device to the next one's costs the hand-over of the previous operator's outputs:
     * a dynamic program over (operator, device). Exact for chains; for branching graphs an approximation whose
     * plan is then simulated exactly by {@link #simulate}, and kept only if it beats every device alone (on a
     * branching graph it can count too few hand-overs).
     */
    public SimulatedPlan bestChain() {
        List<Node> nodes = graph.nodes();
        List<SimulatedDevice> devices = simulator.board().devices();
        int k = devices.size();
        double[][] cost = new double[nodes.size()][k];
        int[][] from = new int[nodes.size()][k];
        String host = simulator.board().host().id();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            for (int d = 0; d < k; d++) {
                String device = devices.get(d).id();
                if (!simulator.runs(device, n)) {
                    cost[i][d] = Double.POSITIVE_INFINITY;
                    continue;
                }
                double own = simulator.operator(n, metrics.get(n.name()), device).expected();
                if (i == 0) {
                    cost[i][d] = own + inputsHandOver(n, host, device);
                    continue;
                }
                double best = Double.POSITIVE_INFINITY;
                for (int p = 0; p < k; p++) {
                    double move = simulator.handOver(outputBytes(nodes.get(i - 1)), devices.get(p).id(), device)
                            .expected();
                    double c = cost[i - 1][p] + move;
                    if (c < best) {
                        best = c;
                        from[i][d] = p;
                    }
                }
                cost[i][d] = best + own;
            }
        }
        int last = nodes.size() - 1;
        int d = 0;
        for (int c = 1; c < k; c++) {
            if (cost[last][c] < cost[last][d]) {
                d = c;
            }
        }
        if (Double.isInfinite(cost[last][d])) {
            throw new IllegalArgumentException("no device of " + simulator.board().name() + " runs every operator");
        }
        Map<String, String> placement = new LinkedHashMap<>();
        for (int i = last; i >= 0; i--) {
            placement.put(nodes.get(i).name(), devices.get(d).id());
            d = from[i][d];
        }
        SimulatedPlan best = simulate(placement);
        for (SimulatedDevice device : devices) {
            if (nodes.stream().allMatch(n -> simulator.runs(device.id(), n))) {
                SimulatedPlan alone = single(device.id());
                if (alone.latency().expected() < best.latency().expected()) {
                    best = alone;
                }
            }
        }
        return best;
    }

    /**
     * A lower bound on the simulated latency of every placement of this model on this board, however its segments
     * overlap: each operator at its fastest device, hand-overs free, devices as many as the board has. The longest
     * path through the graph bounds it (an operator starts after its inputs are made), and so does the work spread
     * evenly over the devices (each device runs one operator at a time). Where a plan's latency is within x of this
     * bound, no placement and no overlap of independent segments can make it more than x faster on this simulator.
     */
    public OverlapBound overlapBound() {
        List<Node> nodes = graph.nodes();
        List<SimulatedDevice> devices = simulator.board().devices();
        Map<String, Double> finishedAt = new HashMap<>();
        double longestPath = 0;
        double work = 0;
        for (Node n : nodes) {
            double fastest = Double.POSITIVE_INFINITY;
            for (SimulatedDevice d : devices) {
                if (simulator.runs(d.id(), n)) {
                    fastest = Math.min(fastest, simulator.operator(n, metrics.get(n.name()), d.id()).expected());
                }
            }
            if (Double.isInfinite(fastest)) {
                throw new IllegalArgumentException("no device of " + simulator.board().name() + " runs operator "
                        + n.name() + " (" + n.opType() + ")");
            }
            double start = 0;
            for (String t : n.inputs()) {
                start = Math.max(start, finishedAt.getOrDefault(t, 0.0));
            }
            double end = start + fastest;
            n.outputs().forEach(o -> finishedAt.put(o, end));
            longestPath = Math.max(longestPath, end);
            work += fastest;
        }
        return new OverlapBound(longestPath, work / devices.size());
    }

    /**
     * {@link #overlapBound}'s two bounds, in seconds (expected times, simulated): the graph's longest path and its
     * work spread over the board's devices, each operator at its fastest device and hand-overs free.
     */
    public record OverlapBound(double longestPath, double spreadWork) {
        /** The larger of the two: no placement of the model runs faster on the simulated board. */
        public double latency() {
            return Math.max(longestPath, spreadWork);
        }
    }

    private double inputsHandOver(Node n, String host, String device) {
        long total = 0;
        for (String t : n.inputs()) {
            if (!t.isEmpty() && !graph.isWeight(t)) {
                total += bytes(t);
            }
        }
        return simulator.handOver(total, host, device).expected();
    }

    private long outputBytes(Node n) {
        return n.outputs().stream().filter(o -> !o.isEmpty()).mapToLong(this::bytes).sum();
    }

    /** A tensor's size from the analyzer's shapes (where its producer or a consumer saw it); 0 when unknown. */
    long bytes(String tensor) {
        long[] shape = null;
        Node producer = graph.producer(tensor).orElse(null);
        if (producer != null) {
            int i = producer.outputs().indexOf(tensor);
            List<long[]> shapes = metrics.get(producer.name()).outputShapes();
            shape = i >= 0 && i < shapes.size() ? shapes.get(i) : null;
        }
        if (shape == null) {
            for (Node c : graph.consumers(tensor)) {
                int i = c.inputs().indexOf(tensor);
                List<long[]> shapes = metrics.get(c.name()).inputShapes();
                if (i >= 0 && i < shapes.size() && shapes.get(i) != null) {
                    shape = shapes.get(i);
                    break;
                }
            }
        }
        if (shape == null) {
            return 0;
        }
        long elements = 1;
        for (long dim : shape) {
            elements *= Math.max(dim, 1);
        }
        int elementBytes = graph.info(tensor).filter(info -> info.type() != null)
                .map(info -> info.type().byteSize()).orElse(4);
        return elements * elementBytes;
    }
}
