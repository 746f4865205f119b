package org.sparoa.predictor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class LabelsTest {
    private static final double[] X = {0, 0.5, 0.7, 0.8, 0.9, 0.95};

    @Test
    void crossoverIsTheFirstLevelFromWhichTheSparseBackendWins() {
        assertEquals(0.8, Labels.sparsityThreshold(X, new Boolean[] {false, false, false, true, true, true}));
    }

    @Test
    void alwaysIsZeroAndNeverIsOne() {
        assertEquals(0.0, Labels.sparsityThreshold(X, new Boolean[] {true, true, true, true, true, true}));
        assertEquals(1.0, Labels.sparsityThreshold(X, new Boolean[] {false, false, false, false, false, false}));
    }

    @Test
    void aNoisyLevelCostsOneDecisionNotTheLabel() {
        // 0.5 measured faster by noise: the threshold that agrees with most levels is still 0.8
        assertEquals(0.8, Labels.sparsityThreshold(X, new Boolean[] {false, true, false, true, true, true}));
    }

    @Test
    void unmeasuredOperatorsHaveNoLabel() {
        assertNull(Labels.sparsityThreshold(X, new Boolean[6]));
    }

    @Test
    void intensityThresholdIsWhereTheDenseDeviceStartsWinningForGood() {
        double[] grid = {0.1, 1, 10, 100};
        assertEquals(10.0, Labels.intensityThreshold(grid, new double[] {1, 1, 1, 1}, new double[] {2, 2, 0.5, 0.5}));
        // a dense win below a sparse win does not count: from 100 on only
        assertEquals(100.0, Labels.intensityThreshold(grid, new double[] {1, 1, 1, 1}, new double[] {2, 0.5, 2, 0.5}));
        assertEquals(ThresholdScale.MAX_INTENSITY,
                Labels.intensityThreshold(grid, new double[] {1, 1, 1, 1}, new double[] {2, 2, 2, 2}));
        assertEquals(0.1, Labels.intensityThreshold(grid, new double[] {1, 1, 1, 1}, new double[] {0.5, 0.5, 0.5, 0.5}));
    }

    @Test
    void theTrainingTargetLiesBetweenTheLevelsItSeparates() {
        assertEquals(0.75, Labels.sparsityTarget(X, new Boolean[] {false, false, false, true, true, true}), 1e-9);
        assertEquals(-0.25, Labels.sparsityTarget(X, new Boolean[] {true, true, true, true, true, true}), 1e-9);
        assertEquals(1.25, Labels.sparsityTarget(X, new Boolean[] {false, false, false, false, false, false}), 1e-9);
    }
}
