package org.sparoa.policy.greedy.internal;

import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.ToDoubleBiFunction;

import org.sparoa.api.BackendView;
import org.sparoa.api.CostModel;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.DeviceKind;
import org.sparoa.api.DeviceState;
import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Placement;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SchedulingPolicy;

/** Backend views and cost models for calling a policy directly, with answers known by construction. */
final class Views {
    private Views() {
    }

    /** A real backend as a policy sees it, over one graph. */
    record Real(DeviceBackend backend, Graph graph) implements BackendView {
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
            return OptionalDouble.empty();
        }
    }

    /** A backend that can run everything and knows no costs. */
    record Fake(String id, DeviceKind kind) implements BackendView {
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
            return true;
        }

        @Override
        public OptionalDouble estimateMillis(Node node) {
            return OptionalDouble.empty();
        }
    }

    static List<BackendView> real(Model model, DeviceBackend... backends) {
        return java.util.Arrays.stream(backends).map(b -> (BackendView) new Real(b, model.graph())).toList();
    }

    /** Operator costs from a function of (backend id, node); every transfer between two backends costs the same. */
    static CostModel costs(ToDoubleBiFunction<String, Node> operatorMillis, double transferMillis) {
        return new CostModel() {
            @Override
            public OptionalDouble operatorMillis(String backendId, Node node) {
                return OptionalDouble.of(operatorMillis.applyAsDouble(backendId, node));
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

    /** {@code inner} deciding with {@code costs} instead of the engine's cost model, under another name. */
    static SchedulingPolicy withCosts(String name, SchedulingPolicy inner, CostModel costs) {
        return new SchedulingPolicy() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Placement place(SchedulingContext c) throws Exception {
                return inner.place(new SchedulingContext(c.model(), c.backends(), c.options(), costs));
            }
        };
    }

    /** {@code inner} under another name, remembering the last context it was given and the placement it answered. */
    static final class Recording implements SchedulingPolicy {
        private final String name;
        private final SchedulingPolicy inner;
        private volatile SchedulingContext lastContext;
        private volatile Placement lastPlacement;

        Recording(String name, SchedulingPolicy inner) {
            this.name = name;
            this.inner = inner;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Placement place(SchedulingContext c) throws Exception {
            Placement p = inner.place(c);
            lastContext = c;
            lastPlacement = p;
            return p;
        }

        SchedulingContext lastContext() {
            if (lastContext == null) {
                throw new IllegalStateException(name + " was never asked to place");
            }
            return lastContext;
        }

        Placement lastPlacement() {
            return lastPlacement;
        }
    }
}
