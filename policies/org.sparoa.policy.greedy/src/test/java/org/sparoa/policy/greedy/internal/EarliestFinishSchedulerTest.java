package org.sparoa.policy.greedy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.sparoa.api.BackendView;
import org.sparoa.api.CostModel;
import org.sparoa.api.DataType;
import org.sparoa.api.DeviceKind;
import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.TensorInfo;
import org.sparoa.api.UnsupportedOperatorException;

/** The scheduler on hand-made graphs whose best schedule is known. */
class EarliestFinishSchedulerTest {
    private static final long[] SHAPE = {1, 8};

    /** x -> A -> a, x -> B -> b, Add(a, b) -> y: two independent branches. */
    private static Model diamond() {
        List<Node> nodes = List.of(
                new Node("A", "Relu", "", List.of("x"), List.of("a"), Map.of()),
                new Node("B", "Sigmoid", "", List.of("x"), List.of("b"), Map.of()),
                new Node("C", "Add", "", List.of("a", "b"), List.of("y"), Map.of()));
        Graph g = new Graph("diamond", nodes, List.of(new TensorInfo("x", DataType.FLOAT, SHAPE)),
                List.of(new TensorInfo("y", DataType.FLOAT, SHAPE)), Map.of(), Map.of(), Map.of("", 17L));
        return new Model("diamond", null, "0", g, new byte[0]);
    }

    private static final CostModel ONE_MS = Views.costs((b, n) -> 1.0, 0.1);

    @Test
    void independentBranchesGoToSeparateProcessorsAndOverlap() {
        List<BackendView> backends = List.of(new Views.Fake("cpu", DeviceKind.CPU), new Views.Fake("gpu", DeviceKind.GPU));
        var s = new EarliestFinishScheduler(new SchedulingContext(diamond(), backends, Map.of(), ONE_MS), true).schedule();
        assertNotEquals(s.placement().get("A"), s.placement().get("B"), "the branches run side by side");
        // A and B from 0 to 1, one result moves (0.1), C from 1.1 to 2.1
        assertEquals(2.1, s.makespanMillis(), 1e-9);
    }

    @Test
    void twoCpuBackendsShareTheCoresSoNothingOverlaps() {
        List<BackendView> backends = List.of(new Views.Fake("cpu-a", DeviceKind.CPU), new Views.Fake("cpu-b", DeviceKind.CPU));
        var shared = new EarliestFinishScheduler(new SchedulingContext(diamond(), backends, Map.of(), ONE_MS), true)
                .schedule();
        assertEquals(3.0, shared.makespanMillis(), 1e-9, "three operators one after another, no transfer");
        assertEquals(1, java.util.Set.copyOf(shared.placement().values()).size());
        var separate = new EarliestFinishScheduler(new SchedulingContext(diamond(), backends, Map.of(), ONE_MS), false)
                .schedule();
        assertEquals(2.1, separate.makespanMillis(), 1e-9, "as independent processors they overlap");
    }

    @Test
    void unknownCostsFollowRankingAndAnOperatorNobodyRunsIsNamed() {
        List<BackendView> backends = List.of(new Views.Fake("first", DeviceKind.CPU), new Views.Fake("second", DeviceKind.GPU));
        var s = new EarliestFinishScheduler(new SchedulingContext(diamond(), backends, Map.of(), CostModel.NONE), true)
                .schedule();
        assertEquals(3, s.operatorsWithoutCost());
        assertEquals(Map.of("A", "first", "B", "first", "C", "first"), s.placement());

        List<BackendView> picky = List.of(new BackendView() {
            @Override public String id() { return "picky"; }
            @Override public DeviceKind kind() { return DeviceKind.CPU; }
            @Override public org.sparoa.api.DeviceState state() { return org.sparoa.api.DeviceState.idle(0); }
            @Override public int ranking() { return 0; }
            @Override public boolean supports(Node node) { return !node.opType().equals("Sigmoid"); }
            @Override public java.util.OptionalDouble estimateMillis(Node node) { return java.util.OptionalDouble.empty(); }
        });
        UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class,
                () -> new EarliestFinishScheduler(new SchedulingContext(diamond(), picky, Map.of(), ONE_MS), true));
        assertTrue(e.getMessage().contains("B (Sigmoid)") && e.getMessage().contains("picky"), e.getMessage());
    }
}
