package org.sparoa.predictor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.onnx.OnnxModels;

class SyntheticGridTest {
    @TempDir
    Path dir;

    @Test
    void everyGridModelImportsAsTheOneOperatorItsNameSays() {
        List<ModelSource> sources = SyntheticGrid.write(dir, 7);
        assertEquals(SyntheticGrid.CONVS.size() + SyntheticGrid.MATRICES.size()
                + SyntheticGrid.ELEMENTWISE.size() * (SyntheticGrid.STAGES.size() + SyntheticGrid.SMALL.size()),
                sources.size());
        Set<String> names = new HashSet<>();
        for (ModelSource s : sources) {
            assertTrue(names.add(s.name()), "named twice: " + s.name());
            Model m = OnnxModels.load(s.name(), s.file());
            assertEquals(1, m.graph().nodes().size(), s.name());
            Node n = m.graph().nodes().get(0);
            String kind = s.name().split("-")[1];
            String expected = kind.startsWith("conv") || kind.startsWith("dw") ? "conv" : kind;
            assertEquals(expected, n.opType().toLowerCase(), s.name());
        }
    }

    @Test
    void theFirstGridComesFirstInItsOldOrderAndEveryModelIsSeeded() throws Exception {
        Path again = Files.createDirectories(dir.resolve("again"));
        List<ModelSource> all = SyntheticGrid.write(dir, 7);
        List<ModelSource> other = SyntheticGrid.write(again, 7);
        assertEquals("synthetic-conv1x1-s1-16-32-56", all.get(0).name());
        assertEquals("synthetic-dw5x5-s1-64-64-28", all.get(SyntheticGrid.FIRST_CONVS.size() - 1).name());
        assertEquals("synthetic-gemm-1x512x1000", all.get(SyntheticGrid.FIRST_CONVS.size()).name());
        for (int i = 0; i < all.size(); i++) {
            assertArrayEquals(Files.readAllBytes(all.get(i).file()), Files.readAllBytes(other.get(i).file()),
                    "seeded: " + all.get(i).name());
        }
    }
}
