package org.sparoa.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparoa.api.UnknownModelException;
import org.sparoa.onnx.MagnitudePruner;
import org.sparoa.onnx.MagnitudePruner.Result;
import org.sparoa.onnx.MagnitudePruner.Scope;

class PruneCommandTest {
    private static Path blazeface() {
        return Path.of(System.getProperty("sparoa.shared", "../../../shared"), "models/blazeface_front_128x128.onnx");
    }

    private static PruneCommand command(String model, double sparsity, Path out, String scope) {
        PruneCommand c = new PruneCommand();
        c.modelRef = model;
        c.sparsity = sparsity;
        c.out = out.toString();
        c.scope = scope;
        return c;
    }

    @Test
    void prunesAFileAndReportsTheAchievedSparsity(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("pruned/bf80.onnx");
        PruneCommand c = command(blazeface().toString(), 0.8, out, "global");
        c.verbose = true;
        c.noFormat = true;
        c.execute();
        assertTrue(Files.size(out) > 0);
        Result again = MagnitudePruner.prune(Files.readAllBytes(out), 0.0, Scope.LAYER, "check");
        assertEquals(0.8, again.sparsity(), 1e-4, "the written model holds the zeros");

        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Result r = MagnitudePruner.prune(Files.readAllBytes(blazeface()), 0.8, Scope.GLOBAL, "bf");
        c.print(r, out, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String text = buf.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("scope global, target 80.0%") && text.contains("(80.0%)"), text);
        assertTrue(text.contains("Conv=" + r.weights().size()), text);
        assertTrue(text.contains("Wrote " + out.toAbsolutePath()), text);
        assertTrue(text.contains(r.weights().get(0).tensor()), "verbose lists the tensors: " + text);
    }

    @Test
    void badArgumentsFailWithoutWriting(@TempDir Path dir) {
        Path out = dir.resolve("x.onnx");
        String m = assertThrows(IllegalArgumentException.class,
                () -> command(blazeface().toString(), 80, out, "layer").execute()).getMessage();
        assertTrue(m.contains("[0, 1)"), m);
        m = assertThrows(IllegalArgumentException.class,
                () -> command(blazeface().toString(), 0.5, out, "rows").execute()).getMessage();
        assertTrue(m.contains("layer or global"), m);
        m = assertThrows(UnknownModelException.class,
                () -> command(dir.resolve("nope.onnx").toString(), 0.5, out, "layer").execute()).getMessage();
        assertTrue(m.contains("nope.onnx"), m);
        assertFalse(Files.exists(out));
    }
}
