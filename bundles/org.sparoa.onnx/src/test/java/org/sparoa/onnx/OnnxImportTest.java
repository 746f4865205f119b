package org.sparoa.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparoa.api.DataType;
import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.ModelFormatException;
import org.sparoa.api.Node;
import org.sparoa.api.Tensor;

class OnnxImportTest {
    private static Path ppocr(String file) {
        return Path.of(System.getProperty("sparoa.models", "target/models"), file);
    }

    private static Path shared(String rel) {
        return Path.of(System.getProperty("sparoa.shared", "../../../shared"), rel);
    }

    @Test
    void constantNodesOfPpocrBecomeWeightsNotOperators() {
        Model m = OnnxModels.load(null, ppocr("ch_ppocr_mobile_v2.0_cls_infer.onnx"));
        Graph g = m.graph();
        assertEquals("ch_ppocr_mobile_v2.0_cls_infer", m.id());
        assertTrue(g.nodes().stream().noneMatch(n -> n.opType().equals("Constant")), "Constant nodes are weights");
        Node conv = g.nodes().stream().filter(n -> n.opType().equals("Conv")).findFirst().orElseThrow();
        Tensor w = g.weights().get(conv.input(1));
        assertTrue(w != null && w.rank() == 4 && w.type() == DataType.FLOAT, "conv weight is a 4-D float weight");
        Set<String> names = new HashSet<>();
        g.nodes().forEach(n -> assertTrue(names.add(n.name()), "unique node name " + n.name()));
        for (Node n : g.nodes()) {
            for (String in : n.inputs()) {
                assertTrue(in.isEmpty() || g.isWeight(in) || g.producer(in).isPresent()
                        || g.inputs().stream().anyMatch(i -> i.name().equals(in)), "input " + in + " of " + n.name());
                g.producer(in).ifPresent(p -> assertTrue(g.position(p.name()) < g.position(n.name()), "topological"));
            }
        }
        g.nodes().forEach(n -> n.outputs().stream().filter(o -> !o.isEmpty())
                .forEach(o -> assertTrue(g.info(o).map(i -> i.type() != null).orElse(false), "typed " + o)));
    }

    @Test
    void theWholeModelAsOneSegmentIsTheModelItselfAndAPartIsCut() throws IOException {
        Path file = ppocr("ch_ppocr_mobile_v2.0_cls_infer.onnx");
        Model m = OnnxModels.load(null, file);
        Graph g = m.graph();
        byte[] whole = OnnxSegments.cut(m, "whole", g.nodes(), g.inputs(), g.outputs());
        assertTrue(Arrays.equals(Files.readAllBytes(file), whole), "a one-segment plan runs the user's own bytes");

        List<Node> firstHalf = g.nodes().subList(0, g.nodes().size() / 2);
        Node last = firstHalf.get(firstHalf.size() - 1);
        var out = g.info(last.outputs().get(0)).orElseThrow();
        byte[] part = OnnxSegments.cut(m, "part", firstHalf, g.inputs(), List.of(out));
        Model cut = OnnxModels.fromBytes("part", part, null);
        assertEquals(firstHalf.size(), cut.graph().nodes().size());
        assertEquals(List.of(out.name()), cut.graph().outputs().stream().map(o -> o.name()).toList());
        // the same operators, but in another order, are not the whole model either
        List<Node> reversedOrder = new java.util.ArrayList<>(g.nodes());
        java.util.Collections.swap(reversedOrder, 0, 1);
        assertFalse(OnnxSegments.isWholeModel(m, reversedOrder, g.inputs(), g.outputs()));
    }

    @Test
    void constantOfShapeWeightsOfLightModelsAreMaterialised() {
        Model m = OnnxModels.load(null, shared("onnx-backend-tests/light/light_bvlc_alexnet.onnx"));
        Graph g = m.graph();
        assertTrue(g.nodes().stream().noneMatch(n -> n.opType().equals("ConstantOfShape")));
        Node conv = g.nodes().stream().filter(n -> n.opType().equals("Conv")).findFirst().orElseThrow();
        float[] w = g.weights().get(conv.input(1)).toFloatArray();
        assertTrue(w.length > 1000);
        for (float v : w) {
            assertEquals(0.02f, v, 0f);
        }
    }

    @Test
    void everyLightAndSharedModelImports() throws IOException {
        try (Stream<Path> files = Stream.concat(Files.list(shared("onnx-backend-tests/light")),
                Files.list(shared("models")))) {
            List<Path> models = files.filter(p -> p.toString().endsWith(".onnx")).toList();
            assertTrue(models.size() >= 10, "models found: " + models);
            for (Path p : models) {
                Model m = OnnxModels.load(null, p);
                assertFalse(m.graph().nodes().isEmpty(), p.toString());
                assertFalse(m.graph().inputs().isEmpty(), p.toString());
            }
        }
    }

    @Test
    void badFilesAreRejectedNamingTheFile(@TempDir Path dir) throws IOException {
        Path empty = Files.createFile(dir.resolve("empty.onnx"));
        Path text = Files.writeString(dir.resolve("readme.onnx"), "# not a model, just text\n");
        byte[] real = Files.readAllBytes(ppocr("ch_ppocr_mobile_v2.0_cls_infer.onnx"));
        Path truncated = Files.write(dir.resolve("half.onnx"), Arrays.copyOf(real, real.length - 1000));
        assertTrue(assertThrows(ModelFormatException.class, () -> OnnxModels.load(null, empty)).getMessage()
                .contains("empty.onnx is empty"));
        String textMessage = assertThrows(ModelFormatException.class, () -> OnnxModels.load(null, text)).getMessage();
        assertTrue(textMessage.contains("readme.onnx") && textMessage.contains("not"), textMessage);
        String cut = assertThrows(ModelFormatException.class, () -> OnnxModels.load(null, truncated)).getMessage();
        assertTrue(cut.contains("half.onnx") && cut.contains("truncated"), cut);
        assertTrue(assertThrows(ModelFormatException.class, () -> OnnxModels.load(null, dir.resolve("nope.onnx")))
                .getMessage().contains("not found"));
    }

    @Test
    void tensorProtoFilesOfTheConformanceSuiteRoundTrip(@TempDir Path dir) throws IOException {
        Path pb = shared("onnx-backend-tests/node/test_conv_with_strides_padding/test_data_set_0/input_0.pb");
        TensorProtoIO.NamedTensor read = TensorProtoIO.read(pb);
        assertEquals(DataType.FLOAT, read.tensor().type());
        assertEquals(4, read.tensor().rank());
        Path copy = dir.resolve("copy.pb");
        TensorProtoIO.write(copy, read.name(), read.tensor());
        TensorProtoIO.NamedTensor again = TensorProtoIO.read(copy);
        assertEquals(read.tensor(), again.tensor());
        assertEquals(read.name(), again.name());
        Path junk = Files.write(dir.resolve("junk.pb"), new byte[] {(byte) 0xff, 0x01, 0x02});
        assertTrue(assertThrows(org.sparoa.api.InvalidInputException.class, () -> TensorProtoIO.read(junk))
                .getMessage().contains("junk.pb"));
    }
}
