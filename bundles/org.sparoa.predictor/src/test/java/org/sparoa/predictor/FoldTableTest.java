package org.sparoa.predictor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class FoldTableTest {

    @Test
    void theTableNamesBothSparsityAccuraciesAndTheTieCounts() {
        Evaluation.Score predictor = new Evaluation.Score(10, 7, 6, 5, 3, 4, 3);
        Evaluation.Score fixed = new Evaluation.Score(10, 4, 6, 2, 3, 4, 2);
        Evaluation.Score neighbours = new Evaluation.Score(10, 6, 6, 4, 3, 4, 2);
        Evaluation.Fold fold = new Evaluation.Fold("m", 5, predictor, fixed, fixed, neighbours);
        String table = FoldTable.table(List.of(fold));
        assertTrue(table.contains("sparsity, all pairs: predictor") && table.contains("sparsity, non-tie pairs"),
                table);
        // all pairs 7/10, non-tie 5/6, 3 ties / 6 non-ties / 1 measured without repeats
        assertTrue(table.contains("| m | 5 | 70.0 % | 40.0 % | 40.0 % | 3 / 6 / 1 | 83.3 % | 33.3 % | 33.3 % | 66.7 % |"),
                table);
    }
}
