package org.sparoa.policy.sac.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.Predicate;
import java.util.function.ToDoubleBiFunction;

import org.sparoa.api.BackendView;
import org.sparoa.api.CostModel;
import org.sparoa.api.DataType;
import org.sparoa.api.DeviceKind;
import org.sparoa.api.DeviceState;
import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.TensorInfo;

/** Backend views, cost models and graphs for calling the policy's parts directly, with answers known by construction. */
final class Views {
    private Views() {
    }

    /** A backend that runs the operators {@code supports} accepts, in state {@code state}. */
    record Fake(String id, DeviceKind kind, DeviceState state, Predicate<Node> supported) implements BackendView {
        Fake(String id) {
            this(id, DeviceKind.CPU, DeviceState.idle(0), n -> true);
        }

        @Override
        public int ranking() {
            return 0;
        }

        @Override
        public boolean supports(Node node) {
            return supported.test(node);
        }

        @Override
        public OptionalDouble estimateMillis(Node node) {
            return OptionalDouble.empty();
        }
    }

    /** Operator costs from a function of (backend id, node), one transfer price, one per-segment price. */
    static CostModel costs(ToDoubleBiFunction<String, Node> operatorMillis, double transferMillis, double segmentMillis) {
        return new CostModel() {
            @Override
            public OptionalDouble operatorMillis(String backendId, Node node) {
                return OptionalDouble.of(operatorMillis.applyAsDouble(backendId, node));
            }

            @Override
            public double segmentMillis(String backendId) {
                return segmentMillis;
            }

            @Override
            public double transferMillis(String fromBackendId, String toBackendId, String tensorName) {
                return fromBackendId.equals(toBackendId) ? 0 : transferMillis;
            }

            @Override
            public OptionalLong tensorBytes(String tensorName) {
                return OptionalLong.empty();
            }
        };
    }

    /** A chain of {@code n} operators {@code op0 .. op(n-1)}, each of type {@code types[i % types.length]}. */
    static Model chain(int n, String... types) {
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            nodes.add(new Node("op" + i, types[i % types.length], "", List.of(i == 0 ? "x" : "t" + (i - 1)),
                    List.of(i == n - 1 ? "y" : "t" + i), Map.of()));
        }
        return model("chain" + n, nodes);
    }

    /**
     * {@code n} operators where each reads the previous operator's output and, every third one, also the output
     * of the operator three places back (skip connections: a tensor read by several later operators).
     */
    static Model withSkips(int n) {
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> inputs = new ArrayList<>();
            inputs.add(i == 0 ? "x" : "t" + (i - 1));
            if (i >= 3 && i % 3 == 0) {
                inputs.add("t" + (i - 3));
            }
            nodes.add(new Node("op" + i, i % 2 == 0 ? "Conv" : "Relu", "", inputs, List.of(i == n - 1 ? "y" : "t" + i),
                    Map.of()));
        }
        return model("skips" + n, nodes);
    }

    private static Model model(String name, List<Node> nodes) {
        long[] shape = {1, 8};
        Graph g = new Graph(name, nodes, List.of(new TensorInfo("x", DataType.FLOAT, shape)),
                List.of(new TensorInfo("y", DataType.FLOAT, shape)), Map.of(), Map.of(), Map.of("", 17L));
        return new Model(name, null, "0", g, new byte[0]);
    }

    /** The environment of a model over these backends and costs (as seen, no scenario, nothing predicted). */
    static CostEnvironment environment(Model model, List<BackendView> backends, CostModel costs) {
        return new CostEnvironment(model.id(), model.graph(), backends, costs, costs, java.util.Optional.empty(),
                Map.of());
    }
}
