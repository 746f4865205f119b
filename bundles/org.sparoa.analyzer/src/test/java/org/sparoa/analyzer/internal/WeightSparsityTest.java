package org.sparoa.analyzer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparoa.api.analysis.AnalysisOptions;
import org.sparoa.api.analysis.ModelAnalysis;
import org.sparoa.api.analysis.OperatorMetrics;
import org.sparoa.api.analysis.Thresholds;
import org.sparoa.api.DataType;
import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Tensor;
import org.sparoa.onnx.OnnxModels;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;

/**
 * Weight sparsity is exact on copies of real models whose weights the test zeroes itself: the expected fraction is
 * the test's own count of zeros in the operator's float weights (whatever was zero already, plus what it zeroed).
 */
class WeightSparsityTest {
    /** Operators whose constant inputs are all learned weights. */
    private static final java.util.Set<String> LEARNED = java.util.Set.of("Conv", "ConvTranspose", "Gemm", "MatMul",
            "BatchNormalization");

    /**
     * PP-OCR's MobileNetV3 classifier keeps its weights in Constant nodes, the ONNX suite's ResNet-50 in
     * initializers: in both, a chosen fraction of every float weight (drawn among its non-zero entries, seeded) is
     * set to zero in memory, and every operator's weight sparsity must equal (zeros before + zeroed) / elements.
     */
    @Test
    void zeroedFractionOfRealWeightsIsMeasuredExactly() throws Exception {
        for (Path file : List.of(TestModels.ppocr("ch_ppocr_mobile_v2.0_cls_infer.onnx"),
                TestModels.shared("onnx-backend-tests/light/light_resnet50.onnx"))) {
            Model original = OnnxModels.fromBytes("m", Files.readAllBytes(file), file);
            for (double fraction : new double[] {0.3, 0.75}) {
                Map<String, Tensor> zeroed = new LinkedHashMap<>();
                Map<String, long[]> zeroCount = new HashMap<>(); // {zeros after, elements}
                Random random = new Random(7);
                original.graph().weights().forEach((name, w) -> {
                    if (w.type() != DataType.FLOAT) {
                        zeroed.put(name, w);
                        return;
                    }
                    float[] v = w.toFloatArray();
                    List<Integer> nonZero = new ArrayList<>();
                    long before = 0;
                    for (int i = 0; i < v.length; i++) {
                        if (v[i] == 0f) {
                            before++;
                        } else {
                            nonZero.add(i);
                        }
                    }
                    int k = (int) Math.min(nonZero.size(), Math.round(fraction * v.length));
                    Collections.shuffle(nonZero, random);
                    for (int i = 0; i < k; i++) {
                        v[nonZero.get(i)] = 0f;
                    }
                    zeroed.put(name, Tensor.ofFloats(w.shape(), v));
                    zeroCount.put(name, new long[] {before + k, v.length});
                });
                Graph g = original.graph();
                Graph pruned = new Graph(g.name(), g.nodes(), g.inputs(), g.outputs(), zeroed, g.valueInfo(), g.opsets());
                ModelAnalysis a = new GraphAnalysis(pruned, ShapeTable.fromAnnotations(pruned, Map.of()),
                        org.sparoa.api.analysis.Calibration.none("no runs")).analyze("m", "sha", new Thresholds(0.5, 10), List.of(), 0);
                int checked = 0;
                for (Node n : pruned.nodes()) {
                    if (!LEARNED.contains(n.opType())) {
                        continue; // other operators' constants are arguments (Clip bounds, scalars), not weights
                    }
                    long zeros = 0;
                    long elements = 0;
                    for (String in : n.inputs()) {
                        long[] c = zeroCount.get(in);
                        if (c != null) {
                            zeros += c[0];
                            elements += c[1];
                        }
                    }
                    OperatorMetrics m = metrics(a, n.name());
                    if (elements == 0) {
                        continue;
                    }
                    assertEquals((double) zeros / elements, m.weightSparsity().getAsDouble(), 1e-12,
                            file.getFileName() + " " + n);
                    if (n.opType().equals("Conv")) {
                        // at least the zeroed fraction (rounding of round(f*n) per tensor aside)
                        assertTrue(m.weightSparsity().getAsDouble() >= fraction - 0.01, n + " " + m.weightSparsity());
                    }
                    checked++;
                }
                assertTrue(checked > 20, "operators with weights in " + file.getFileName() + ": " + checked);
            }
        }
    }

    /**
     * The whole path: the classifier's ONNX file with a fraction of every Constant weight tensor zeroed in its
     * protobuf, written to a temporary file, loaded, calibrated and analysed. Each Conv's weight sparsity is its
     * zeroed W's zeros plus its bias's zeros over both sizes.
     */
    @Test
    void zeroedModelFileThroughTheService(@TempDir Path dir) throws Exception {
        Path file = TestModels.ppocr("ch_ppocr_mobile_v2.0_cls_infer.onnx");
        ModelProto.Builder proto = ModelProto.parseFrom(Files.readAllBytes(file)).toBuilder();
        Map<String, long[]> counts = new HashMap<>(); // tensor -> {zeros, elements}
        Random random = new Random(11);
        for (NodeProto.Builder node : proto.getGraphBuilder().getNodeBuilderList()) {
            if (!node.getOpType().equals("Constant")) {
                continue;
            }
            for (AttributeProto.Builder attr : node.getAttributeBuilderList()) {
                TensorProto t = attr.getT();
                if (!attr.getName().equals("value") || t.getDataType() != TensorProto.DataType.FLOAT_VALUE
                        || t.getDimsCount() < 1) {
                    continue;
                }
                float[] v = floats(t);
                long zeros = 0;
                for (int i = 0; i < v.length; i++) {
                    if (t.getDimsCount() >= 2 && random.nextDouble() < 0.6) {
                        v[i] = 0f;
                    }
                    zeros += v[i] == 0f ? 1 : 0;
                }
                ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(v);
                attr.setT(t.toBuilder().clearFloatData().setRawData(ByteString.copyFrom(b.array())));
                counts.put(node.getOutput(0), new long[] {zeros, v.length});
            }
        }
        Path copy = dir.resolve("cls_zeroed.onnx");
        Files.write(copy, proto.build().toByteArray());
        try (AnalyzerFixture f = new AnalyzerFixture()) {
            Model model = f.load("cls-zeroed", copy);
            ModelAnalysis a = f.analyzer.analyze("cls-zeroed", AnalysisOptions.defaults().withCalibrationRuns(1).withShapes(TestModels.CLS_SHAPE));
            int convs = 0;
            for (Node n : model.graph().nodes()) {
                if (!n.opType().equals("Conv")) {
                    continue;
                }
                long zeros = 0;
                long elements = 0;
                for (String in : n.inputs()) {
                    long[] c = counts.get(in);
                    if (c != null) {
                        zeros += c[0];
                        elements += c[1];
                    }
                }
                assertTrue(elements > 0, n + " has Constant weights");
                assertEquals((double) zeros / elements, metrics(a, n.name()).weightSparsity().getAsDouble(), 1e-12,
                        n.toString());
                convs++;
            }
            assertTrue(convs > 10, "convolutions: " + convs);
            assertTrue(a.operators().stream().anyMatch(o -> o.outputSparsity().isPresent()), "it was calibrated");
        }
    }

    private static float[] floats(TensorProto t) {
        if (!t.getRawData().isEmpty()) {
            float[] v = new float[t.getRawData().size() / 4];
            t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
            return v;
        }
        float[] v = new float[t.getFloatDataCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = t.getFloatData(i);
        }
        return v;
    }

    private static OperatorMetrics metrics(ModelAnalysis a, String name) {
        return a.operators().stream().filter(o -> o.name().equals(name)).findFirst().orElseThrow();
    }
}
