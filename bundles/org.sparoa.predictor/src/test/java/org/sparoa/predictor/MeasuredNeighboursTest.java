package org.sparoa.predictor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.sparoa.api.predict.BackendPair;
import org.sparoa.api.predict.OperatorFeatures;

class MeasuredNeighboursTest {
    private static final BackendPair PAIR = Descriptors.liveCpuPair();

    /** A 1x1 convolution, {@code c} channels in and out at {@code hw} x {@code hw}, labelled {@code threshold}. */
    private static DatasetRecord pointwise(String model, int c, int hw, double threshold) {
        OperatorFeatures f = new OperatorFeatures("pw", "Conv", List.of(new long[] {1, c, hw, hw}),
                List.of(new long[] {1, c, hw, hw}), 2.0 * c * c * hw * hw, 8.0 * c * hw * hw, 0, 0, (long) c * c,
                new long[] {1, 1}, new long[] {1, 1}, 1);
        return record(model, f, threshold);
    }

    private static DatasetRecord depthwise(String model, int c, int hw, double threshold) {
        OperatorFeatures f = new OperatorFeatures("dw", "Conv", List.of(new long[] {1, c, hw, hw}),
                List.of(new long[] {1, c, hw, hw}), 18.0 * c * hw * hw, 8.0 * c * hw * hw, 0, 0, 9L * c,
                new long[] {3, 3}, new long[] {1, 1}, c);
        return record(model, f, threshold);
    }

    private static DatasetRecord record(String model, OperatorFeatures f, double threshold) {
        double[] levels = {0, 0.5};
        return new DatasetRecord(model, "real", 0, PAIR, false, f, true, levels, levels, new double[] {1, 1},
                new double[] {1, 1}, threshold, null);
    }

    @Test
    void theLookupSaysHowFarItsFarthestNeighbourIsAndTheBlendTrustsItOnlyWithinTheDistanceGiven() {
        // two identical operators measured and one of twice the size: the three nearest include the far one
        List<DatasetRecord> records = List.of(pointwise("a", 64, 28, 0.6), pointwise("b", 64, 28, 0.8),
                pointwise("c", 128, 28, 0.9));
        MeasuredNeighbours n = MeasuredNeighbours.of(records);
        DatasetRecord query = pointwise("x", 64, 28, 0);
        MeasuredNeighbours.Nearest near = n.nearest(query.op(), PAIR.id(), null);
        assertEquals(0.8, near.threshold(), 1e-6);
        assertEquals(0.3, near.spread(), 1e-6, "thresholds 0.6, 0.8 and 0.9");
        assertTrue(near.within(near.farthestDistance()) && !near.within(-1));
        float[] a = MeasuredNeighbours.features(query.op());
        float[] c = MeasuredNeighbours.features(records.get(2).op());
        double expected = 0;
        for (int i = 0; i < a.length; i++) {
            expected += (a[i] - c[i]) * (a[i] - c[i]);
        }
        assertTrue(expected > 0);
        assertEquals(expected, near.farthestDistance(), 1e-6, "the squared distance to the 128-channel one");
        assertEquals(Double.POSITIVE_INFINITY, n.nearest(query.op(), "other|pair", null).farthestDistance());

        Evaluation.Thresholds network = (group, level) -> new double[][] {{0.3, 10}};
        List<DatasetRecord> group = List.of(query);
        assertEquals(0.3, Evaluation.blend(network, n, expected * 0.99).at(group, 0)[0][0], 1e-9,
                "a neighbour beyond the distance: the network's threshold");
        assertEquals(0.8, Evaluation.blend(network, n, expected).at(group, 0)[0][0], 1e-6,
                "all neighbours within it: the lookup's");
        assertEquals(10, Evaluation.blend(network, n, expected).at(group, 0)[0][1], 1e-9,
                "the intensity threshold stays the network's");
    }

    @Test
    void theThresholdIsTheMedianOfTheThreeNearestOperatorsOfTheSameKind() {
        List<DatasetRecord> records = new ArrayList<>();
        // near 64 channels at 28x28: thresholds 0.6, 0.7, 0.9; far away (1024 channels, 7x7): 0.1 twice
        records.add(pointwise("a", 64, 28, 0.6));
        records.add(pointwise("b", 64, 32, 0.7));
        records.add(pointwise("c", 56, 28, 0.9));
        records.add(pointwise("d", 1024, 7, 0.1));
        records.add(pointwise("e", 1024, 8, 0.1));
        // a depthwise convolution of the same size is another kind and never a neighbour of a pointwise one
        records.add(depthwise("f", 64, 28, 0.0));
        MeasuredNeighbours n = MeasuredNeighbours.of(records);

        assertEquals(0.7, n.threshold(pointwise("x", 64, 28, 0).op(), PAIR.id(), null), 1e-6);
        assertEquals(0.0, n.threshold(depthwise("x", 64, 28, 0).op(), PAIR.id(), null), 1e-6);
        // another pair has no measurements
        assertTrue(Double.isNaN(n.threshold(pointwise("x", 64, 28, 0).op(), "other|pair", null)));
    }

    @Test
    void anOperatorsOwnModelIsLeftOutAsForAModelNeverSeen() {
        MeasuredNeighbours n = MeasuredNeighbours.of(List.of(pointwise("own", 64, 28, 0.2),
                pointwise("own", 64, 24, 0.2), pointwise("own", 48, 28, 0.2), pointwise("other", 1024, 7, 0.9)));
        assertEquals(0.2, n.threshold(pointwise("x", 64, 28, 0).op(), PAIR.id(), null), 1e-6);
        assertEquals(0.9, n.threshold(pointwise("x", 64, 28, 0).op(), PAIR.id(), "own"), 1e-6);
        assertTrue(Double.isNaN(MeasuredNeighbours.of(List.of(pointwise("own", 64, 28, 0.2)))
                .threshold(pointwise("x", 64, 28, 0).op(), PAIR.id(), "own")));
    }

    @Test
    void unlabelledRecordsAreNotNeighboursAndTheTableReadsBackTheSame() throws IOException {
        List<DatasetRecord> records = List.of(pointwise("a", 64, 28, 0.6), pointwise("b", 32, 56, 0.3),
                depthwise("c", 64, 28, 1.0), record("d", pointwise("d", 64, 28, 0).op(), Double.NaN));
        MeasuredNeighbours n = MeasuredNeighbours.of(records);
        assertEquals(3, n.size());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            n.write(out);
        }
        MeasuredNeighbours back = MeasuredNeighbours.read(new DataInputStream(
                new ByteArrayInputStream(bytes.toByteArray())), "test");
        assertEquals(3, back.size());
        for (DatasetRecord probe : List.of(pointwise("x", 48, 40, 0), depthwise("x", 64, 14, 0))) {
            assertEquals(n.threshold(probe.op(), PAIR.id(), null), back.threshold(probe.op(), PAIR.id(), null), 0);
        }
    }
}
