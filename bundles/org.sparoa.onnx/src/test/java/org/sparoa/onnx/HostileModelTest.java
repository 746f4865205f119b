package org.sparoa.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sparoa.api.InvalidInputException;
import org.sparoa.api.Model;
import org.sparoa.api.ModelFormatException;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;

/**
 * Regression tests for what a hostile user found (issue 11): each input used to end in an exception of the JVM
 * (OutOfMemoryError, "capacity < 0", "long overflow"), a blocked thread, or a model that loaded and failed later.
 */
class HostileModelTest {
    private static ModelFormatException refused(ModelProto m) {
        return assertThrows(ModelFormatException.class, () -> OnnxModels.fromBytes("m", m.toByteArray(), null));
    }

    @Test
    void anInitializerWhoseDimsOverflowALongIsRefusedNamingIt() {
        ModelFormatException e = refused(HostileModels.addWith(HostileModels.floatInitializer("w",
                new long[] {1L << 40, 1L << 40}, 0)));
        assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("more elements than a long"),
                e.getMessage());
    }

    @Test
    void anInitializerOf2To31ElementsIsRefusedBeforeItsBufferIsAllocated() {
        ModelFormatException big = refused(HostileModels.addWith(HostileModels.floatInitializer("w",
                new long[] {1L << 31}, 0)));
        assertTrue(big.getMessage().contains("larger than 2 GB"), big.getMessage());
        // 1 GiB of floats declared, none given: refused on the count, not after allocating the gigabyte
        ModelFormatException empty = refused(HostileModels.addWith(HostileModels.floatInitializer("w",
                new long[] {1L << 28}, 0)));
        assertTrue(empty.getMessage().contains("needs 268435456 values, has 0"), empty.getMessage());
    }

    @Test
    void aNegativeDimensionIsRefused() {
        ModelFormatException e = refused(HostileModels.addWith(HostileModels.floatInitializer("w", new long[] {-4}, 0)));
        assertTrue(e.getMessage().contains("negative dimension"), e.getMessage());
    }

    @Test
    void aConstantOfShapeWithANegativeCountIsRefusedNamingTheNode() {
        ModelFormatException e = refused(HostileModels.constantOfShape(1, -16));
        assertTrue(e.getMessage().contains("fill") && e.getMessage().contains("negative dimension"), e.getMessage());
        ModelFormatException wraps = refused(HostileModels.constantOfShape(1L << 32, 1L << 32));
        assertTrue(wraps.getMessage().contains("more elements than a long"), wraps.getMessage());
        ModelFormatException huge = refused(HostileModels.constantOfShape(1L << 20, 1L << 20));
        assertTrue(huge.getMessage().contains("larger than 2 GB"), huge.getMessage());
    }

    /** Fuzz finding 1 (BoundedFuzzTest): an UnsupportedOperationException from reading a float shape as integers. */
    @Test
    void aConstantOfShapeWithAFloatShapeIsRefused() {
        ModelProto m = HostileModels.constantOfShape(1, 4);
        TensorProto floatShape = TensorProto.newBuilder().setName("shape").setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addDims(2).addFloatData(1).addFloatData(4).build();
        ModelFormatException e = refused(m.toBuilder().setGraph(m.getGraph().toBuilder().setInitializer(0, floatShape))
                .build());
        assertTrue(e.getMessage().contains("fill") && e.getMessage().contains("1-D int64"), e.getMessage());
    }

    @Test
    void aNodeReadingATensorNothingProducesIsRefusedAtLoadNamingNodeAndTensor() {
        ModelProto ok = HostileModels.relu(8, 13).build();
        GraphProto g = ok.getGraph().toBuilder().setNode(0, HostileModels.node("relu", "Relu", List.of("x_flipped"),
                List.of("y"))).build();
        ModelFormatException e = refused(ok.toBuilder().setGraph(g).build());
        assertTrue(e.getMessage().contains("node 'relu' (Relu) reads tensor 'x_flipped'"), e.getMessage());
    }

    @Test
    void anOutputNothingProducesAndATensorWithTwoProducersAreRefused() {
        ModelProto ok = HostileModels.relu(8, 13).build();
        GraphProto noOut = ok.getGraph().toBuilder().setOutput(0, HostileModels.floatInfo("z", 1, 4)).build();
        assertTrue(refused(ok.toBuilder().setGraph(noOut).build()).getMessage().contains("graph output 'z'"));
        GraphProto twice = ok.getGraph().toBuilder()
                .addNode(HostileModels.node("again", "Relu", List.of("x"), List.of("y"))).build();
        ModelFormatException e = refused(ok.toBuilder().setGraph(twice).build());
        assertTrue(e.getMessage().contains("tensor 'y' is written by node 'again'"), e.getMessage());
    }

    @Test
    void aCycleIsRefusedNamingItsNodes() {
        GraphProto g = GraphProto.newBuilder().setName("cycle").addInput(HostileModels.floatInfo("x", 1, 4))
                .addOutput(HostileModels.floatInfo("y", 1, 4))
                .addNode(HostileModels.node("a", "Add", List.of("x", "b_out"), List.of("a_out")))
                .addNode(HostileModels.node("b", "Relu", List.of("a_out"), List.of("b_out")))
                .addNode(HostileModels.node("c", "Relu", List.of("a_out"), List.of("y"))).build();
        ModelFormatException e = refused(HostileModels.relu(8, 13).setGraph(g).build());
        assertTrue(e.getMessage().contains("cycle") && e.getMessage().contains("'a' (Add)"), e.getMessage());
    }

    @Test
    void opsetAndIrVersionsFromTheFutureOrZeroAreRefused() {
        assertTrue(refused(HostileModels.relu(99, 13).build()).getMessage().contains("IR version 99"));
        assertTrue(refused(HostileModels.relu(8, 99).build()).getMessage().contains("opset 99"));
        assertTrue(refused(HostileModels.relu(8, 0).build()).getMessage().contains("opset 0"));
        Model opset1 = OnnxModels.fromBytes("m", HostileModels.relu(3, 1).build().toByteArray(), null);
        assertEquals(1L, opset1.graph().opsets().get(""), "an old opset still loads: sparse-cpu runs it");
    }

    @Test
    void anAttributeOfTheWrongKindIsOurError() {
        ModelProto m = HostileModels.constantOfShape(1, 4);
        GraphProto g = m.getGraph().toBuilder().setNode(0, m.getGraph().getNode(0).toBuilder().setAttribute(0,
                ai.onnx.proto.OnnxMl.AttributeProto.newBuilder().setName("value")
                        .setType(ai.onnx.proto.OnnxMl.AttributeProto.AttributeType.INT).setI(3))).build();
        ModelFormatException e = refused(m.toBuilder().setGraph(g).build());
        assertTrue(e.getMessage().contains("value"), e.getMessage());
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.SECONDS)
    void devicesAndPipesAreRefusedWithoutReadingThem(@TempDir Path dir) throws Exception {
        Path zero = Path.of("/dev/zero");
        if (Files.exists(zero)) {
            assertTrue(assertThrows(ModelFormatException.class, () -> OnnxModels.load(null, zero)).getMessage()
                    .contains("not a regular file"));
        }
        Path fifo = dir.resolve("pipe.onnx");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, mk.waitFor(), "mkfifo");
        assertTrue(assertThrows(ModelFormatException.class, () -> OnnxModels.load(null, fifo)).getMessage()
                .contains("not a regular file"), "a FIFO would block the reader for good");
        assertTrue(assertThrows(ModelFormatException.class, () -> OnnxModels.load(null, dir)).getMessage()
                .contains("not a regular file"));
    }

    @Test
    void aFileOverTheSizeLimitIsRefusedBeforeItIsRead(@TempDir Path dir) throws IOException {
        Path big = dir.resolve("big.onnx");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(3L << 30); // sparse: no disk used, 3 GiB long
        }
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> OnnxModels.load(null, big, 1 << 20));
        assertTrue(e.getMessage().contains("more than the limit of 1048576 bytes"), e.getMessage());
        assertTrue(assertThrows(ModelFormatException.class, () -> OnnxModels.load(null, big)).getMessage()
                .contains("more than the limit"), "no limit given: protobuf's 2 GB");
    }

    @Test
    void aTensorFileWhoseDimsOverflowIsAnInputError() {
        TensorProto t = HostileModels.floatInitializer("t", new long[] {1L << 62, 8}, 0);
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> TensorProtoIO.parse(t.toByteArray(), "t.pb"));
        assertTrue(e.getMessage().contains("t.pb") && e.getMessage().contains("more elements"), e.getMessage());
    }

    @Test
    void pruneRefusesAFolderAndASymbolicLinkAsTarget(@TempDir Path dir) throws IOException {
        Path model = dir.resolve("m.onnx");
        Files.write(model, HostileModels.addWith(HostileModels.floatInitializer("w", new long[] {1, 4}, 4))
                .toByteArray());
        Path victim = dir.resolve("victim.txt");
        Files.writeString(victim, "keep me");
        Path link = dir.resolve("link.onnx");
        Files.createSymbolicLink(link, victim);
        ModelFormatException viaLink = assertThrows(ModelFormatException.class,
                () -> MagnitudePruner.prune(model, link, 0.5, MagnitudePruner.Scope.LAYER));
        assertTrue(viaLink.getMessage().contains("symbolic link"), viaLink.getMessage());
        assertEquals("keep me", Files.readString(victim));
        Path folder = Files.createDirectory(dir.resolve("out"));
        ModelFormatException intoFolder = assertThrows(ModelFormatException.class,
                () -> MagnitudePruner.prune(model, folder, 0.5, MagnitudePruner.Scope.LAYER));
        assertTrue(intoFolder.getMessage().contains("is a folder") && !intoFolder.getMessage().contains(".tmp"),
                intoFolder.getMessage());
        try (var files = Files.list(dir)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
    }
}
