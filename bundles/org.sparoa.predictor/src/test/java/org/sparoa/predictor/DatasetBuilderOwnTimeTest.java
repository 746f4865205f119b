package org.sparoa.predictor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.sparoa.api.BoundaryCost;
import org.sparoa.api.DataType;
import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;
import org.sparoa.api.analysis.OperatorMetrics;
import org.sparoa.api.analysis.Quadrant;

class DatasetBuilderOwnTimeTest {

    @Test
    void theDenseBackendsPerCallCostNoLongerDecidesASmallOperator() {
        // measured alone, the sparse backend is faster (0.05 against 0.06 ms); but 0.04 ms of the dense one's time is
        // its fixed cost per segment, which inside a plan the operator does not pay: on its own time dense is faster
        double[][] sparseRaw = {{0.050, 0.051, 0.049}};
        double[][] denseRaw = {{0.060, 0.061, 0.062}};
        BoundaryCost sparse = new BoundaryCost(0.002, 0);
        BoundaryCost dense = new BoundaryCost(0.040, 0);
        double[][] sparseOwn = DatasetBuilder.own(sparseRaw, sparse, 0);
        double[][] denseOwn = DatasetBuilder.own(denseRaw, dense, 0);
        assertEquals(0.048, Spread.median(sparseOwn[0]), 1e-12);
        assertEquals(0.021, Spread.median(denseOwn[0]), 1e-12);
        assertEquals(Boolean.FALSE, Spread.tie(sparseOwn[0], denseOwn[0]));
        assertTrue(Spread.median(sparseRaw[0]) < Spread.median(denseRaw[0]), "raw times said the opposite");
    }

    @Test
    void anUnknownBoundaryKeepsTheRawTimesAndAFailedRunStaysNaN() {
        double[][] raw = {{0.5, Double.NaN}};
        assertArrayEquals(raw[0], DatasetBuilder.own(raw, null, 100)[0]);
        double[][] own = DatasetBuilder.own(raw, new BoundaryCost(0.1, 0.001), 100);
        assertEquals(0.5 - 0.1 - 0.05, own[0][0], 1e-12);
        assertTrue(Double.isNaN(own[0][1]));
    }

    @Test
    void bytesMovedCountActivationsInAndOutButNoWeight() {
        Node conv = new Node("conv", "Conv", "", List.of("x", "w"), List.of("y"), Map.of());
        float[] w = new float[8 * 3];
        Graph g = new Graph("g", List.of(conv), List.of(new TensorInfo("x", DataType.FLOAT, new long[] {1, 3, 4, 4})),
                List.of(new TensorInfo("y", DataType.FLOAT, new long[] {1, 8, 4, 4})),
                Map.of("w", Tensor.ofFloats(new long[] {8, 3, 1, 1}, w)), Map.of(), Map.of("", 13L));
        Model model = new Model("m", Path.of("m.onnx"), "0", g, new byte[0]);
        OperatorMetrics m = new OperatorMetrics("conv", "Conv", "", List.of(new long[] {1, 3, 4, 4},
                new long[] {8, 3, 1, 1}), List.of(new long[] {1, 8, 4, 4}), 24, OptionalLong.empty(),
                OptionalLong.empty(), OptionalDouble.empty(), Optional.empty(), Optional.empty(), Quadrant.UNKNOWN, "");
        assertEquals((3 * 16 + 8 * 16) * 4L, DatasetBuilder.bytesMoved(model, conv, m));
        assertEquals(0, DatasetBuilder.bytesMoved(model, conv, null), "nothing known, nothing taken out");
    }
}
