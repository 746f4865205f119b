package org.sparoa.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparoa.api.InvalidInputException;
import org.sparoa.api.ResourceLimitException;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.engine.LocalPlatform;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

/** Command-line input a hostile user tried (issue 11): each is refused with a clear error before anything runs. */
class HostileCommandTest {
    private static OrtCpuBackend ort;
    private static LocalPlatform platform;

    @BeforeAll
    static void start() {
        ort = new OrtCpuBackend("ort-cpu", 1, 1);
        platform = LocalPlatform.of(ort);
    }

    @AfterAll
    static void stop() {
        platform.close();
        ort.close();
    }

    /** {@code y = Relu(x)}, x of shape [N, C, H, W] all dynamic. */
    private static Path dynamicRelu(Path dir) throws IOException {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (String d : List.of("N", "C", "H", "W")) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(d));
        }
        TypeProto type = TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape)).build();
        GraphProto g = GraphProto.newBuilder().setName("g")
                .addInput(ValueInfoProto.newBuilder().setName("x").setType(type))
                .addOutput(ValueInfoProto.newBuilder().setName("y").setType(type))
                .addNode(NodeProto.newBuilder().setName("relu").setOpType("Relu").addInput("x").addOutput("y")).build();
        Path file = dir.resolve("dyn.onnx");
        Files.write(file, ModelProto.newBuilder().setIrVersion(8).setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13)).build().toByteArray());
        return file;
    }

    private static RunCommand run(String model) {
        RunCommand c = new RunCommand();
        c.models = platform.models();
        c.inference = platform.inference();
        c.modelRef = model;
        c.noFormat = true;
        return c;
    }

    private static String refused(RunCommand c) {
        return assertThrows(InvalidInputException.class, c::execute).getMessage();
    }

    @Test
    void countsOutOfRangeAreRefused(@TempDir Path dir) throws IOException {
        String model = dynamicRelu(dir).toString();
        RunCommand huge = run(model);
        huge.iterations = 2_000_000_000; // an OutOfMemoryError before
        assertTrue(refused(huge).contains("--iterations must be between 1 and 1000000"));
        for (int t : new int[] {0, -1}) {
            RunCommand threads = run(model);
            threads.threads = t;
            assertTrue(refused(threads).contains("--threads must be between 1"));
        }
        RunCommand segments = run(model);
        segments.segments = -1;
        segments.shapeSpecs = List.of("x=1x3x8x8");
        assertTrue(refused(segments).contains("--segments must be at least 1"));
        assertTrue(platform.models().get("dyn").isEmpty(), "a failed run PATH leaves no model registered");
    }

    @Test
    void aHugeShapeIsRefusedBeforeItsInputIsMadeAndTheModelIsNotLeftLoaded(@TempDir Path dir) throws IOException {
        String model = dynamicRelu(dir).toString();
        for (String shape : List.of("x=1x3x65536x65536", "x=1x3x47000x47000", "x=1x3x4611686018427387904x4")) {
            RunCommand c = run(model);
            c.shapeSpecs = List.of(shape);
            ResourceLimitException e = assertThrows(ResourceLimitException.class, c::execute);
            assertTrue(e.getMessage().contains("input 'x'"), e.getMessage());
            assertTrue(platform.models().get("dyn").isEmpty(), "a failed run PATH leaves no model registered");
        }
    }

    @Test
    void outputPathsAreCheckedBeforeTheRun(@TempDir Path dir) throws IOException {
        String model = dynamicRelu(dir).toString();
        Path existing = Files.writeString(dir.resolve("taken.txt"), "x");
        RunCommand save = run(model);
        save.shapeSpecs = List.of("x=1x3x8x8");
        save.saveOutputs = existing.toString();
        assertTrue(refused(save).contains("--save-outputs " + existing + " is an existing file"));
        RunCommand json = run(model);
        json.shapeSpecs = List.of("x=1x3x8x8");
        json.json = dir.toString();
        assertTrue(refused(json).contains("is a folder"));
        assertTrue(platform.models().get("dyn").isEmpty());
    }

    @Test
    void aSuccessfulRunOfAPathKeepsItLoaded(@TempDir Path dir) throws Exception {
        RunCommand c = run(dynamicRelu(dir).toString());
        c.shapeSpecs = List.of("x=1x3x8x8");
        c.iterations = 2;
        c.saveOutputs = dir.resolve("out").toString();
        c.execute();
        assertTrue(Files.isRegularFile(dir.resolve("out/output_0.pb")));
        assertTrue(platform.models().unload("dyn"));
    }

    @Test
    void pruneRefusesLinksFoldersAndExistingFilesWithoutForce(@TempDir Path dir) throws Exception {
        Path model = Path.of(System.getProperty("sparoa.shared", "../../../shared"), "models/blazeface_front_128x128.onnx");
        Path victim = Files.writeString(dir.resolve("victim.txt"), "keep me");
        Path link = Files.createSymbolicLink(dir.resolve("link.onnx"), victim);
        Path folder = Files.createDirectory(dir.resolve("folder"));
        for (Path out : List.of(link, folder, victim)) {
            PruneCommand c = new PruneCommand();
            c.modelRef = model.toString();
            c.sparsity = 0.5;
            c.out = out.toString();
            String m = assertThrows(InvalidInputException.class, c::execute).getMessage();
            assertTrue(m.contains("symbolic link") || m.contains("is a folder") || m.contains("--force"), m);
            assertFalse(m.contains(".tmp"), m);
        }
        assertEquals("keep me", Files.readString(victim));
        PruneCommand forced = new PruneCommand();
        forced.modelRef = model.toString();
        forced.sparsity = 0.5;
        forced.out = victim.toString();
        forced.force = true;
        forced.execute();
        assertTrue(Files.size(victim) > 1000, "overwritten when asked to");
    }
}
