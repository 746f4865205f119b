package org.sparoa.policy.sac.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.sparoa.api.BoundaryCost;
import org.sparoa.api.DataType;
import org.sparoa.api.Graph;
import org.sparoa.api.Node;
import org.sparoa.api.OperatorProfiler;
import org.sparoa.api.TensorInfo;

class ProfiledCostsTest {
    // x (1x256 floats, 1,024 bytes) -> relu -> y (1,024 bytes)
    private final Node relu = new Node("relu", "Relu", "", List.of("x"), List.of("y"), Map.of());
    private final TensorInfo x = new TensorInfo("x", DataType.FLOAT, new long[] {1, 256});
    private final TensorInfo y = new TensorInfo("y", DataType.FLOAT, new long[] {1, 256});
    private final Graph graph = new Graph("g", List.of(relu), List.of(x), List.of(y), Map.of(),
            Map.of("x", x, "y", y), Map.of("", 13L));
    private final List<OperatorProfiler.Measurement> measured = List.of(
            new OperatorProfiler.Measurement("relu", "Relu", "ort-cpu", 0.050, false),
            new OperatorProfiler.Measurement("relu", "Relu", "sparse-cpu", 0.030, false));

    @Test
    void measuredBoundaryCostsAreTakenOutAsTheEngineTakesThemOut() {
        BoundaryCost ort = new BoundaryCost(0.010, 1e-5);
        BoundaryCost sparse = new BoundaryCost(0.004, 2e-5);
        ProfiledCosts c = new ProfiledCosts(graph, measured, Map.of("ort-cpu", ort, "sparse-cpu", sparse));
        assertEquals(ort.ownMillis(0.050, 2048), c.operatorMillis("ort-cpu", relu).getAsDouble(), 1e-12);
        assertEquals(0.050 - 0.010 - 0.01024, c.operatorMillis("ort-cpu", relu).getAsDouble(), 1e-12);
        assertEquals(0.010, c.segmentMillis("ort-cpu"), 0);
        assertEquals(ort.moveMillis(1024) + sparse.moveMillis(1024), c.transferMillis("ort-cpu", "sparse-cpu", "y"),
                1e-12);
    }

    @Test
    void withoutThemTheSegmentCostIsEstimatedFromTheSmallestMeasurement() {
        ProfiledCosts c = new ProfiledCosts(graph, measured);
        assertEquals(0.025, c.segmentMillis("ort-cpu"), 1e-12);
        assertEquals(0.025, c.operatorMillis("ort-cpu", relu).getAsDouble(), 1e-12);
        assertEquals(1024 / ProfiledCosts.COPY_BYTES_PER_MILLI, c.transferMillis("ort-cpu", "sparse-cpu", "y"), 1e-12);
    }
}
