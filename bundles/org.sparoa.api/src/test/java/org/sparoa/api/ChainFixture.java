package org.sparoa.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;

/** A chain t0 -> op0 -> t1 -> ... -> tn and a cost model given as tables, for plan-cost tests. */
final class ChainFixture {
    private ChainFixture() {
    }

    static Graph chain(int n) {
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            nodes.add(new Node("op" + i, "Relu", "", List.of("t" + i), List.of("t" + (i + 1)), Map.of()));
        }
        long[] shape = {1, 4};
        return new Graph("chain", nodes, List.of(new TensorInfo("t0", DataType.FLOAT, shape)),
                List.of(new TensorInfo("t" + n, DataType.FLOAT, shape)), Map.of(), Map.of(), Map.of("", 17L));
    }

    static Map<String, String> placement(String... backends) {
        Map<String, String> p = new HashMap<>();
        for (int i = 0; i < backends.length; i++) {
            p.put("op" + i, backends[i]);
        }
        return p;
    }

    /** Operator costs per backend (index = operator), a fixed cost per segment, and a price per hand-over. */
    record Costs(Map<String, double[]> operator, Map<String, Double> segment, double handover) implements CostModel {
        @Override
        public OptionalDouble operatorMillis(String backendId, Node node) {
            double[] t = operator.get(backendId);
            return t == null ? OptionalDouble.empty()
                    : OptionalDouble.of(t[Integer.parseInt(node.name().substring(2))]);
        }

        @Override
        public double segmentMillis(String backendId) {
            return segment.getOrDefault(backendId, 0.0);
        }

        @Override
        public double transferMillis(String from, String to, String tensorName) {
            return from.equals(to) ? 0 : handover;
        }

        @Override
        public OptionalLong tensorBytes(String tensorName) {
            return OptionalLong.of(16);
        }
    }

    /** A backend that runs every operator, or only those named. */
    record View(String id, Set<String> only) implements BackendView {
        View(String id) {
            this(id, null);
        }

        @Override
        public DeviceKind kind() {
            return DeviceKind.CPU;
        }

        @Override
        public DeviceState state() {
            return DeviceState.idle(0);
        }

        @Override
        public int ranking() {
            return 0;
        }

        @Override
        public boolean supports(Node node) {
            return only == null || only.contains(node.name());
        }

        @Override
        public OptionalDouble estimateMillis(Node node) {
            return OptionalDouble.empty();
        }
    }
}
