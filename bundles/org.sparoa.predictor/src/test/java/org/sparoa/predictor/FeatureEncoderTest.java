package org.sparoa.predictor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.sparoa.api.predict.BackendPair;
import org.sparoa.api.predict.OperatorFeatures;

class FeatureEncoderTest {
    private static final BackendPair PAIR = Descriptors.liveCpuPair();

    private static float[] encode(String opType) {
        long[] shape = {1, 16, 32, 32};
        return FeatureEncoder.encode(new OperatorFeatures("op", opType, List.of(shape, shape), List.of(shape),
                16384, 196608, Double.NaN, 0.0, 0, new long[0], new long[0], 1), PAIR);
    }

    @Test
    void operatorsOfOneFamilyAreToldApartByTheirType() {
        float[] add = encode("Add");
        float[] div = encode("Div");
        assertEquals(FeatureEncoder.WIDTH, add.length);
        assertFalse(Arrays.equals(add, div), "Add and Div share a family but not a type slot");
        float[] reshape = encode("Reshape");
        float[] transpose = encode("Transpose");
        assertFalse(Arrays.equals(reshape, transpose));
    }

    @Test
    void aTypeWithoutASlotIsKnownByItsFamilyOnly() {
        float[] unlisted = encode("Elu");
        float[] listed = encode("Relu");
        int typesFrom = FeatureEncoder.FAMILIES.size() + 2;
        for (int t = 0; t < FeatureEncoder.TYPES.size(); t++) {
            assertEquals(0f, unlisted[typesFrom + t], "no type slot set for Elu");
        }
        assertEquals(1f, listed[typesFrom + FeatureEncoder.TYPES.indexOf("Relu")]);
        int family = FeatureEncoder.family("Elu", 1);
        assertEquals(1f, unlisted[family], "Elu keeps its family");
        assertEquals(family, FeatureEncoder.family("Relu", 1));
    }
}
