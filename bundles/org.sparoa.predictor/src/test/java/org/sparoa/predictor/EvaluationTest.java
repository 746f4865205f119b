package org.sparoa.predictor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class EvaluationTest {

    @Test
    void fixedThresholdsScoreWhatTheyGetRight() {
        // one 1x1 conv (sparse wins at 0.7 and 0.9), one 3x3 conv (never), one relu (always); levels 0, .5, .7, .9
        List<DatasetRecord> records = List.of(TinyData.record("m", 0, 0), TinyData.record("m", 1, 1),
                TinyData.record("m", 2, 2));
        Evaluation.Score s = Evaluation.score(records, Evaluation.fixed(0.5, 10));
        // conv1x1: x >= .5 at .5 (wrong), .7 (right), .9 (right), 0 (right) -> 3; conv3x3: right at 0 only -> 1;
        // relu: x = 0 < .5 -> dense, always wrong -> 0
        assertEquals(12, s.sparsityPairs());
        assertEquals(4, s.sparsityCorrect());
    }

    @Test
    void theLabelsThemselvesScoreEveryDecision() {
        List<DatasetRecord> records = TinyData.models(1, 6);
        Evaluation.Score s = Evaluation.score(records, (group, level) -> group.stream()
                .map(r -> new double[] {r.sparsityThreshold(), 10}).toArray(double[][]::new));
        assertEquals(s.sparsityPairs(), s.sparsityCorrect());
    }

    @Test
    void perOpTypeMedianLearnsFromTheTrainingModels() {
        List<DatasetRecord> train = TinyData.models(3, 6);
        List<DatasetRecord> test = TinyData.models(1, 3);
        double median = Evaluation.score(test, Evaluation.perOpTypeMedian(train, 0.5, 10)).sparsityAccuracy();
        double fixed = Evaluation.score(test, Evaluation.fixed(0.5, 10)).sparsityAccuracy();
        // Relu's median label is 0 (always): every ReLU decision becomes right
        assertEquals(true, median > fixed, "median " + median + " vs fixed " + fixed);
    }
}
