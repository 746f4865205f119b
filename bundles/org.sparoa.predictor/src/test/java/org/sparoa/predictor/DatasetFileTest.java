package org.sparoa.predictor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetFileTest {

    @Test
    void recordsSurviveTheRoundTripIncludingUnknownNumbers(@TempDir Path dir) {
        Path file = dir.resolve("d.jsonl");
        List<DatasetRecord> written = TinyData.models(2, 3);
        DatasetFile.append(file, written);
        List<DatasetRecord> read = DatasetFile.read(file);
        assertEquals(written.size(), read.size());
        DatasetRecord relu = read.stream().filter(r -> r.op().opType().equals("Relu")).findFirst().orElseThrow();
        assertTrue(Double.isNaN(relu.op().weightSparsity()), "NaN stays NaN");
        assertEquals(0.0, relu.sparsityThreshold());
        assertEquals(written.get(0).op().inputShapes().get(0)[1], read.get(0).op().inputShapes().get(0)[1]);
        assertEquals(Set.of("tiny-0", "tiny-1"), DatasetFile.models(file));
    }

    @Test
    void repeatsAndTiesSurviveTheRoundTripAndOldLinesReadWithout(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("d.jsonl");
        DatasetRecord plain = TinyData.record("old", 0, 0);
        // a line as written before repeats existed: no repeats, no per-repeat times, no tie
        String old = DatasetFile.toJson(plain).replaceAll(",\"repeats\":1", "");
        assertTrue(!old.contains("repeats") && !old.contains("tie"), old);
        Files.writeString(file, old + "\n");
        DatasetFile.append(file, List.of(TinyData.withTies(TinyData.record("new", 0, 0), null, true, false, false)));
        List<DatasetRecord> read = DatasetFile.read(file);
        assertEquals(0, read.get(0).repeats());
        assertNull(read.get(0).tie());
        assertNull(read.get(0).tieAt(1));
        assertEquals(plain.sparsityThreshold(), read.get(0).sparsityThreshold());
        DatasetRecord again = read.get(1);
        assertEquals(2, again.repeats());
        assertNull(again.tieAt(0));
        assertEquals(Boolean.TRUE, again.tieAt(1));
        assertEquals(Boolean.FALSE, again.tieAt(2));
        assertEquals(2, again.sparseRepeatMs()[3].length);
        assertNull(again.decisiveWins(1), "a tie decides nothing");
        assertEquals(Boolean.TRUE, again.decisiveWins(2));
    }

    @Test
    void aLastLineCutShortByACrashIsIgnoredSoItsModelIsMeasuredAgain(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("d.jsonl");
        DatasetFile.append(file, TinyData.models(1, 2));
        Files.writeString(file, "{\"model\":\"tiny-9\",\"sour", StandardOpenOption.APPEND);
        assertEquals(Set.of("tiny-0"), DatasetFile.models(file));
    }
}
