package org.sparoa.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparoa.api.ModelFormatException;
import org.sparoa.onnx.MagnitudePruner.PrunedWeight;
import org.sparoa.onnx.MagnitudePruner.Result;
import org.sparoa.onnx.MagnitudePruner.Scope;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

class MagnitudePrunerTest {
    private static Path ppocr(String file) {
        return Path.of(System.getProperty("sparoa.models", "target/models"), file);
    }

    private static Path shared(String rel) {
        return Path.of(System.getProperty("sparoa.shared", "../../../shared"), rel);
    }

    /** Models whose weights are initializers (BlazeFace, M-LSD) and Constant nodes (PP-OCR), with Conv and MatMul. */
    private static List<Path> realModels() {
        return List.of(shared("models/blazeface_back_256x256.onnx"), shared("models/blazeface_front_128x128.onnx"),
                shared("models/mlsd_320x320_tiny.onnx"), ppocr("ch_ppocr_mobile_v2.0_cls_infer.onnx"),
                ppocr("ch_PP-OCRv3_det_infer.onnx"), ppocr("ch_PP-OCRv3_rec_infer.onnx"));
    }

    @Test
    void layerScopeZeroesExactlyTheRoundedTargetInEveryWeightOfTheWrittenModel() throws IOException {
        for (Path p : List.of(shared("models/blazeface_back_256x256.onnx"), ppocr("ch_ppocr_mobile_v2.0_cls_infer.onnx"),
                ppocr("ch_PP-OCRv3_rec_infer.onnx"))) {
            byte[] original = Files.readAllBytes(p);
            Map<String, float[]> before = storedFloatTensors(original);
            Result r = MagnitudePruner.prune(original, 0.8, Scope.LAYER, p.toString());
            Map<String, float[]> after = storedFloatTensors(r.model());
            assertFalse(r.weights().isEmpty(), p + ": prunable weights found");
            for (PrunedWeight w : r.weights()) {
                float[] orig = before.get(w.tensor());
                float[] now = after.get(w.tensor());
                long expected = Math.max(Math.round(0.8 * orig.length), zeros(orig));
                assertEquals(expected, zeros(now), p + " " + w.tensor());
                assertEquals(expected, w.zerosAfter(), p + " " + w.tensor() + " as reported");
                assertPrunedBySmallestMagnitude(orig, now, p + " " + w.tensor());
            }
            // every other stored tensor (biases, BatchNorm, shapes) is untouched
            Set<String> pruned = new HashSet<>();
            r.weights().forEach(w -> pruned.add(w.tensor()));
            before.forEach((name, v) -> {
                if (!pruned.contains(name)) {
                    assertArrayEquals(v, after.get(name), p + " " + name + " untouched");
                }
            });
        }
    }

    @Test
    void constantNodeWeightsAndMatMulOperandsArePruned() throws IOException {
        Path rec = ppocr("ch_PP-OCRv3_rec_infer.onnx");
        byte[] bytes = Files.readAllBytes(rec);
        ModelProto proto = ModelProto.parseFrom(bytes);
        Set<String> constantOutputs = new HashSet<>();
        proto.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Constant"))
                .forEach(n -> constantOutputs.add(n.getOutput(0)));
        Result r = MagnitudePruner.prune(bytes, 0.5, Scope.LAYER, rec.toString());
        Set<String> ops = new HashSet<>();
        r.weights().forEach(w -> ops.add(w.opType()));
        assertTrue(ops.contains("Conv") && ops.contains("MatMul"), "pruned op types " + ops);
        assertTrue(r.weights().stream().allMatch(w -> constantOutputs.contains(w.tensor())),
                "PP-OCR keeps its weights in Constant nodes");
    }

    @Test
    void globalScopeZeroesExactlyTheRoundedTargetOverAllWeightsSmallestFirst() throws IOException {
        Path p = shared("models/blazeface_back_256x256.onnx");
        byte[] original = Files.readAllBytes(p);
        Map<String, float[]> before = storedFloatTensors(original);
        Result r = MagnitudePruner.prune(original, 0.7, Scope.GLOBAL, p.toString());
        Map<String, float[]> after = storedFloatTensors(r.model());
        long total = 0;
        long zerosBefore = 0;
        long zerosAfter = 0;
        float largestPruned = 0;
        float smallestKept = Float.POSITIVE_INFINITY;
        Set<Long> perLayer = new HashSet<>();
        for (PrunedWeight w : r.weights()) {
            float[] orig = before.get(w.tensor());
            float[] now = after.get(w.tensor());
            total += orig.length;
            zerosBefore += zeros(orig);
            zerosAfter += zeros(now);
            perLayer.add(Math.round(1000.0 * zeros(now) / now.length));
            for (int i = 0; i < orig.length; i++) {
                if (now[i] == 0f) {
                    largestPruned = Math.max(largestPruned, Math.abs(orig[i]));
                } else {
                    smallestKept = Math.min(smallestKept, Math.abs(now[i]));
                    assertEquals(orig[i], now[i], "kept weights keep their value");
                }
            }
        }
        assertEquals(Math.max(Math.round(0.7 * total), zerosBefore), zerosAfter);
        assertEquals(zerosAfter, r.zeros());
        assertEquals(total, r.elements());
        assertTrue(largestPruned <= smallestKept, largestPruned + " pruned, " + smallestKept + " kept");
        assertTrue(perLayer.size() > 1, "a global threshold prunes layers unevenly: " + perLayer);
    }

    @Test
    void sparsityZeroLeavesEveryWeightUnchanged() throws IOException {
        for (Path p : List.of(shared("models/mlsd_320x320_tiny.onnx"), ppocr("ch_ppocr_mobile_v2.0_cls_infer.onnx"))) {
            byte[] original = Files.readAllBytes(p);
            for (Scope scope : Scope.values()) {
                Result r = MagnitudePruner.prune(original, 0.0, scope, p.toString());
                Map<String, float[]> before = storedFloatTensors(original);
                Map<String, float[]> after = storedFloatTensors(r.model());
                assertEquals(before.keySet(), after.keySet());
                before.forEach((name, v) -> assertArrayEquals(v, after.get(name), p + " " + name));
                r.weights().forEach(w -> assertEquals(w.zerosBefore(), w.zerosAfter(), w.tensor()));
            }
        }
    }

    @Test
    void onnxRuntimeLoadsAndRunsEveryPrunedRealModel() throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        for (Path p : realModels()) {
            byte[] original = Files.readAllBytes(p);
            boolean rec = p.getFileName().toString().contains("_rec_");
            float[] dense = runOnce(env, original, rec);
            for (Scope scope : Scope.values()) {
                Result r = MagnitudePruner.prune(original, 0.9, scope, p.toString());
                assertEquals(0.9, r.sparsity(), 0.01, p + " " + scope);
                float[] pruned = runOnce(env, r.model(), rec);
                assertEquals(dense.length, pruned.length, p + " output size");
                boolean finite = true;
                for (float v : pruned) {
                    finite &= Float.isFinite(v);
                }
                assertTrue(finite, p + " " + scope + ": finite outputs");
                assertFalse(java.util.Arrays.equals(dense, pruned), p + " " + scope + ": pruning changed the output");
            }
            assertArrayEquals(dense, runOnce(env, MagnitudePruner.prune(original, 0, Scope.LAYER, "m").model(), rec),
                    p + ": sparsity 0 gives the same outputs");
        }
    }

    @Test
    void fileApiWritesTheModelAndRejectsBadInputsWithoutWriting(@TempDir Path dir) throws IOException {
        Path cls = ppocr("ch_ppocr_mobile_v2.0_cls_infer.onnx");
        Path out = dir.resolve("sub/pruned.onnx");
        Result r = MagnitudePruner.prune(cls, out, 0.5, Scope.GLOBAL);
        assertArrayEquals(r.model(), Files.readAllBytes(out));
        if (out.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Path plain = Files.write(dir.resolve("sub/plain.bin"), new byte[1]);
            assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(out),
                    "the pruned model gets the permissions of any new file");
        }
        assertEquals(0.5, r.sparsity(), 1e-4);
        assertFalse(OnnxModels.load(null, out).graph().nodes().isEmpty(), "the written file imports");

        Path none = dir.resolve("none.onnx");
        for (double bad : new double[] {1.0, 1.5, -0.1, Double.NaN}) {
            String m = assertThrows(IllegalArgumentException.class,
                    () -> MagnitudePruner.prune(cls, none, bad, Scope.LAYER)).getMessage();
            assertTrue(m.contains("[0, 1)") && m.contains(String.valueOf(bad)), m);
        }
        Path text = Files.writeString(dir.resolve("notes.onnx"), "just some text, not a model\n");
        String m = assertThrows(ModelFormatException.class,
                () -> MagnitudePruner.prune(text, none, 0.5, Scope.LAYER)).getMessage();
        assertTrue(m.contains("notes.onnx") && m.contains("not"), m);
        m = assertThrows(ModelFormatException.class,
                () -> MagnitudePruner.prune(dir.resolve("missing.onnx"), none, 0.5, Scope.LAYER)).getMessage();
        assertTrue(m.contains("not found") && m.contains("missing.onnx"), m);
        assertThrows(ModelFormatException.class, () -> MagnitudePruner.prune(new byte[0], 0.5, Scope.LAYER, "empty"));
        assertFalse(Files.exists(none), "nothing written for rejected input");
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temporary files left");
        }
        try (var files = Files.list(dir.resolve("sub"))) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temporary files left");
        }
        assertEquals(Scope.GLOBAL, Scope.parse(" Global "));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Scope.parse("row")).getMessage().contains("row"));
    }

    private static void assertPrunedBySmallestMagnitude(float[] orig, float[] now, String what) {
        float largestPruned = 0;
        float smallestKept = Float.POSITIVE_INFINITY;
        for (int i = 0; i < orig.length; i++) {
            if (now[i] == 0f) {
                largestPruned = Math.max(largestPruned, Math.abs(orig[i]));
            } else {
                assertEquals(orig[i], now[i], what + ": kept weights keep their value");
                smallestKept = Math.min(smallestKept, Math.abs(now[i]));
            }
        }
        assertTrue(largestPruned <= smallestKept, what + ": pruned " + largestPruned + " > kept " + smallestKept);
    }

    /** Every float tensor stored in the model — initializers and Constant values — decoded straight from the proto. */
    static Map<String, float[]> storedFloatTensors(byte[] model) throws IOException {
        ModelProto proto = ModelProto.parseFrom(model);
        Map<String, float[]> out = new LinkedHashMap<>();
        for (TensorProto t : proto.getGraph().getInitializerList()) {
            if (t.getDataType() == TensorProto.DataType.FLOAT_VALUE) {
                out.put(t.getName(), floats(t));
            }
        }
        for (NodeProto n : proto.getGraph().getNodeList()) {
            if (n.getOpType().equals("Constant")) {
                for (AttributeProto a : n.getAttributeList()) {
                    if (a.getName().equals("value") && a.getT().getDataType() == TensorProto.DataType.FLOAT_VALUE) {
                        out.put(n.getOutput(0), floats(a.getT()));
                    }
                }
            }
        }
        return out;
    }

    private static float[] floats(TensorProto t) {
        if (t.hasRawData()) {
            FloatBuffer fb = ByteBuffer.wrap(t.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            float[] v = new float[fb.remaining()];
            fb.get(v);
            return v;
        }
        float[] v = new float[t.getFloatDataCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = t.getFloatData(i);
        }
        return v;
    }

    private static long zeros(float[] v) {
        long n = 0;
        for (float f : v) {
            n += f == 0f ? 1 : 0;
        }
        return n;
    }

    /** Runs the model once in ONNX Runtime on seeded random inputs; a dynamic batch is 1. */
    private static float[] runOnce(OrtEnvironment env, byte[] model, boolean recogniser) throws Exception {
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(1);
            try (OrtSession s = env.createSession(model, opts)) {
                Map<String, OnnxTensor> feeds = new HashMap<>();
                Random rnd = new Random(7);
                try {
                    for (Map.Entry<String, NodeInfo> e : s.getInputInfo().entrySet()) {
                        long[] shape = ((TensorInfo) e.getValue().getInfo()).getShape().clone();
                        // the recogniser reads text lines 48 high; other dynamic sizes (the detector) take 320
                        long[] dynamic = shape.length == 4 && shape[2] < 0 && shape[3] < 0 && recogniser
                                ? new long[] {1, 3, 48, 320} : new long[] {1, 320, 320, 320};
                        int n = 1;
                        for (int i = 0; i < shape.length; i++) {
                            if (shape[i] < 0) {
                                shape[i] = dynamic[i];
                            }
                            n *= (int) shape[i];
                        }
                        float[] x = new float[n];
                        for (int i = 0; i < n; i++) {
                            x[i] = rnd.nextFloat();
                        }
                        feeds.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape));
                    }
                    try (OrtSession.Result res = s.run(feeds)) {
                        FloatBuffer fb = ((OnnxTensor) res.get(0)).getFloatBuffer();
                        float[] out = new float[fb.remaining()];
                        fb.get(out);
                        return out;
                    }
                } finally {
                    feeds.values().forEach(OnnxTensor::close);
                }
            }
        }
    }
}
