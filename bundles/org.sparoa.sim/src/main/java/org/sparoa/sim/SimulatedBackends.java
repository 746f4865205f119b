package org.sparoa.sim;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import org.sparoa.api.analysis.OperatorMetrics;
import org.sparoa.api.BackendView;
import org.sparoa.api.CostModel;
import org.sparoa.api.DeviceKind;
import org.sparoa.api.DeviceState;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Placement;
import org.sparoa.api.SchedulingContext;

/**
 * A simulated board as a scheduling policy sees live backends: one view per device, with the id
 * {@value #PREFIX}{@code <device>} and the device's kind, supporting what the device runs, and a cost model of
 * simulated times (expected values). A device the simulator loads ({@link RooflineSimulator#withLoad}) shows it in its
 * live state as the engine shows a loaded backend (utilisation {@code 1 - 1/factor}, {@code factor - 1} requests
 * queued, recent slowdown {@code factor}), and the cost model prices it loaded. Nothing here ever runs a request: a
 * policy's answer is only simulated.
 */
public final class SimulatedBackends {
    public static final String PREFIX = "sim-";

    private final RooflineSimulator simulator;
    private final PlanSimulator plans;
    private final Map<String, OperatorMetrics> metrics;

    public SimulatedBackends(RooflineSimulator simulator, PlanSimulator plans, Map<String, OperatorMetrics> metrics) {
        this.simulator = simulator;
        this.plans = plans;
        this.metrics = Map.copyOf(metrics);
    }

    /**
     * The context a policy decides on for {@code model}: the board's devices as backends, and {@code options} plus
     * {@code sparseBackend}/{@code denseBackend} naming the simulated CPU and GPU (for policies that take them).
     */
    public SchedulingContext context(Model model, Map<String, String> options) {
        List<BackendView> views = simulator.board().devices().stream().map(this::view).toList();
        Map<String, String> all = new HashMap<>();
        simulator.board().devices().stream().filter(d -> d.kind() == DeviceKind.CPU).findFirst()
                .ifPresent(d -> all.put("sparseBackend", PREFIX + d.id()));
        simulator.board().devices().stream().filter(d -> d.kind() == DeviceKind.GPU).findFirst()
                .ifPresent(d -> all.put("denseBackend", PREFIX + d.id()));
        all.putAll(options);
        return new SchedulingContext(model, views, all, costs());
    }

    /** A policy's placement over the simulated backends, as device ids. */
    public Map<String, String> devices(Placement placement) {
        Map<String, String> out = new HashMap<>();
        placement.backendByNode().forEach((node, backend) -> {
            if (!backend.startsWith(PREFIX)) {
                throw new IllegalArgumentException("the policy placed " + node + " on '" + backend
                        + "', which is not a simulated device of " + simulator.board().name());
            }
            out.put(node, backend.substring(PREFIX.length()));
        });
        return out;
    }

    private BackendView view(SimulatedDevice device) {
        return new BackendView() {
            @Override
            public String id() {
                return PREFIX + device.id();
            }

            @Override
            public DeviceKind kind() {
                return device.kind();
            }

            @Override
            public DeviceState state() {
                double load = simulator.loadFactor(device.id());
                if (load > 1) {
                    // as the engine reports a backend that another application loads: busy share, a queue, slowdown
                    return new DeviceState(true, 1 - 1 / load, (int) Math.round(load - 1), -1, Double.NaN,
                            Double.NaN, "simulated load x" + load + ", " + device.source(), load);
                }
                return new DeviceState(true, 0, 0, -1, Double.NaN, Double.NaN, "simulated " + device.source());
            }

            @Override
            public int ranking() {
                return 0;
            }

            @Override
            public boolean supports(Node node) {
                return device.runs(node.opType());
            }

            @Override
            public OptionalDouble estimateMillis(Node node) {
                return millis(device.id(), node);
            }
        };
    }

    private OptionalDouble millis(String deviceId, Node node) {
        OperatorMetrics m = metrics.get(node.name());
        if (m == null || !simulator.board().device(deviceId).runs(node.opType())) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(simulator.operator(node, m, deviceId).expectedMillis());
    }

    private CostModel costs() {
        return new CostModel() {
            @Override
            public OptionalDouble operatorMillis(String backendId, Node node) {
                return backendId.startsWith(PREFIX) ? millis(backendId.substring(PREFIX.length()), node)
                        : OptionalDouble.empty();
            }

            @Override
            public double transferMillis(String fromBackendId, String toBackendId, String tensorName) {
                if (fromBackendId.equals(toBackendId)) {
                    return 0;
                }
                return simulator.handOver(plans.bytes(tensorName), fromBackendId, toBackendId).expectedMillis();
            }

            @Override
            public OptionalLong tensorBytes(String tensorName) {
                long b = plans.bytes(tensorName);
                return b > 0 ? OptionalLong.of(b) : OptionalLong.empty();
            }
        };
    }
}
