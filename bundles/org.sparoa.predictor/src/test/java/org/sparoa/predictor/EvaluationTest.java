package org.sparoa.predictor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class EvaluationTest {

    @Test
    void eachRealModelIsHeldOutOnceAndSyntheticRecordsAreAlwaysLearntFrom() {
        List<DatasetRecord> real = TinyData.models(3, 4);
        DatasetRecord r = TinyData.record("grid", 0, 1);
        DatasetRecord synthetic = new DatasetRecord(r.model(), "synthetic", r.index(), r.pair(), r.simulated(), r.op(),
                r.pruned(), r.levels(), r.policySparsity(), r.sparseMs(), r.denseMs(), r.sparsityThreshold(),
                r.intensityThreshold());
        List<DatasetRecord> all = new java.util.ArrayList<>(real);
        all.add(synthetic);
        List<Evaluation.HeldOut> held = Evaluation.heldOut(all);
        assertEquals(List.of("tiny-0", "tiny-1", "tiny-2"), held.stream().map(Evaluation.HeldOut::model).toList(),
                "one fold per real model, none for the synthetic grid");
        for (Evaluation.HeldOut h : held) {
            assertEquals(4, h.test().size());
            assertTrue(h.test().stream().allMatch(x -> x.model().equals(h.model())));
            assertEquals(9, h.train().size(), "the other two models' 8 operators and the grid's");
            assertTrue(h.train().contains(synthetic) && h.train().stream().noneMatch(x -> x.model().equals(h.model())));
        }
        Evaluation.Baselines b = Evaluation.baselines(held.get(0), MeasuredNeighbours.of(held.get(0).train()));
        assertEquals(Evaluation.score(held.get(0).test(), Evaluation.fixed(0.5, 10)), b.fixed());
    }

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
    void nonTieAccuracyCountsOnlyThePairsFlaggedAsNoTie() {
        // the 1x1 conv of the test above: fixed 0.5 is wrong at level .5 only; flag that level a tie, level 0 unknown
        DatasetRecord conv = TinyData.withTies(TinyData.record("m", 0, 0), null, true, false, false);
        // the relu: fixed 0.5 is wrong at every level; flag every level as no tie
        DatasetRecord relu = TinyData.withTies(TinyData.record("m", 1, 2), false, false, false, false);
        Evaluation.Score s = Evaluation.score(List.of(conv, relu), Evaluation.fixed(0.5, 10));
        assertEquals(8, s.sparsityPairs());
        assertEquals(3, s.sparsityCorrect());
        assertEquals(1, s.tiePairs());
        assertEquals(6, s.nonTiePairs(), "conv at .7 and .9, relu at all four");
        assertEquals(2, s.nonTieCorrect(), "conv at .7 and .9");
        assertEquals(2.0 / 6, s.nonTieSparsityAccuracy(), 1e-12);
        assertEquals(3.0 / 8, s.sparsityAccuracy(), 1e-12);
    }

    @Test
    void withoutRepeatsThereIsNoNonTieAccuracy() {
        Evaluation.Score s = Evaluation.score(TinyData.models(1, 3), Evaluation.fixed(0.5, 10));
        assertEquals(0, s.nonTiePairs());
        assertEquals(0, s.tiePairs());
        assertEquals(true, Double.isNaN(s.nonTieSparsityAccuracy()));
    }

    @Test
    void aTieDoesNotVoteInTheTrainingTarget() {
        // relu: the sparse backend wins everywhere -> "always"; flag levels .5-.9 as ties: only level 0 votes
        DatasetRecord relu = TinyData.record("m", 0, 2);
        assertEquals(TrainingSet.sparsityTarget(relu), TrainingSet.sparsityTarget(
                TinyData.withTies(relu, false, true, true, true)));
        // a 1x1 conv whose deciding levels (.7, .9) are ties keeps only "dense at 0 and .5": the target moves to never
        DatasetRecord conv = TinyData.record("m", 1, 0);
        double all = TrainingSet.sparsityTarget(conv);
        double tied = TrainingSet.sparsityTarget(TinyData.withTies(conv, false, false, true, true));
        assertEquals(true, tied > all, "target " + tied + " with ties vs " + all);
        assertEquals(1.0, Labels.sparsityThreshold(conv.policySparsity(), new Boolean[] {false, false, null, null}));
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
