package org.sparoa.predictor;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void aLastLineCutShortByACrashIsIgnoredSoItsModelIsMeasuredAgain(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("d.jsonl");
        DatasetFile.append(file, TinyData.models(1, 2));
        Files.writeString(file, "{\"model\":\"tiny-9\",\"sour", StandardOpenOption.APPEND);
        assertEquals(Set.of("tiny-0"), DatasetFile.models(file));
    }
}
