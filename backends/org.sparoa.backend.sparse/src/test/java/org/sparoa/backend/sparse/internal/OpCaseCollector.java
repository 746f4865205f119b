package org.sparoa.backend.sparse.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Tensor;

/**
 * The operator shapes worth benchmarking, taken from real models: each model runs once on sparse-cpu and every Conv
 * is recorded with its input shape and real weights; per model the largest (by FLOPs) 1x1, depthwise and regular
 * k x k convolution are kept. MatMul weights come from the PP-OCR recogniser (not runnable here end to end): its
 * three largest distinct weight shapes. None of the real models has a Gemm; the Gemm case is a classifier head of
 * ResNet-50's shape (2048 -> 1000, batch 1) with seeded Gaussian weights, labelled synthetic.
 */
final class OpCaseCollector {
    private OpCaseCollector() {
    }

    static List<OpCase> collect(Path shared, Path models) throws Exception {
        List<OpCase> cases = new ArrayList<>();
        cases.add(canonicalPointwise());
        cases.add(canonical3x3());
        scanConvs(models.resolve("ch_PP-OCRv3_det_infer.onnx"), "PP-OCRv3-det", cases);
        scanConvs(shared.resolve("models").resolve("blazeface_back_256x256.onnx"), "blazeface-back", cases);
        scanConvs(shared.resolve("models").resolve("mlsd_320x320_tiny.onnx"), "mlsd-tiny", cases);
        matMuls(models.resolve("ch_PP-OCRv3_rec_infer.onnx"), "PP-OCRv3-rec", 40, cases);
        cases.add(resnetHeadGemm());
        return cases;
    }

    /** A 3x3 convolution 64 -> 64 on 56x56, pad 1 (ResNet's first stage), seeded Gaussian weights. */
    static OpCase canonical3x3() {
        Random r = new Random(98);
        float[] w = new float[64 * 64 * 9];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextGaussian() * 0.05);
        }
        return new OpCase("canonical-3x3", "synthetic", "Conv", new int[] {1, 64, 56, 56}, new int[] {64, 64, 3, 3},
                new int[] {1, 1}, new int[] {1, 1, 1, 1}, new int[] {1, 1}, 1, w, new float[64]);
    }

    /** Gemm with ResNet-50's classifier shape, x 1 x 2048, B 1000 x 2048 (transB=1), seeded Gaussian weights. */
    static OpCase resnetHeadGemm() {
        Random r = new Random(97);
        float[] w = new float[1000 * 2048];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextGaussian() * 0.02);
        }
        float[] bias = new float[1000];
        for (int i = 0; i < bias.length; i++) {
            bias[i] = (float) (r.nextGaussian() * 0.01);
        }
        return new OpCase("resnet50-fc-shape", "synthetic", "Gemm", new int[] {1, 2048}, new int[] {1000, 2048},
                null, null, null, 1, w, bias);
    }

    /** The shape of the brief's first measurement: 1x1 conv 256 -> 256 on 28x28, seeded Gaussian weights. */
    static OpCase canonicalPointwise() {
        Random r = new Random(99);
        float[] w = new float[256 * 256];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextGaussian() * 0.05);
        }
        return new OpCase("canonical-1x1", "synthetic", "Conv", new int[] {1, 256, 28, 28}, new int[] {256, 256, 1, 1},
                new int[] {1, 1}, new int[] {0, 0, 0, 0}, new int[] {1, 1}, 1, w, new float[256]);
    }

    static void scanConvs(Path file, String source, List<OpCase> cases) {
        if (!Files.exists(file)) {
            System.out.println("skipping " + source + ": " + file + " not found");
            return;
        }
        Model model = TestModels.load(file);
        Graph g = model.graph();
        for (Node n : g.nodes()) {
            if (!OperatorSupport.whyNot(n, g).isEmpty()) {
                System.out.println("scanning only the supported prefix is not possible: " + source + " has " + n.opType());
                return;
            }
        }
        Map<String, OpCase> best = new LinkedHashMap<>();
        SparseCpuBackend backend = new SparseCpuBackend(2, CsrMatrix.DEFAULT_DENSE_BELOW_SPARSITY);
        try {
            CompiledSparseSegment seg = (CompiledSparseSegment) backend.compile(TestModels.wholeModel(model));
            Map<String, Tensor> inputs = WholeModelTest.randomInputs(g, 5, 640);
            seg.run(inputs, Parallel.sequential(), (node, args, outs, nanos) -> {
                if (!node.opType().equals("Conv")) {
                    return;
                }
                NdArray x = args[0];
                NdArray w = args[1];
                WindowGeometry geo = WindowGeometry.of(node, new int[] {x.shape[2], x.shape[3]},
                        new int[] {w.shape[2], w.shape[3]}, false);
                float[] bias = args.length > 2 && args[2] != null ? args[2].asFloats() : new float[w.shape[0]];
                OpCase c = new OpCase(source + "/" + node.name(), source, "Conv", x.shape.clone(), w.shape.clone(),
                        geo.strides, new int[] {geo.padBegin[0], geo.padBegin[1], geo.padEnd[0], geo.padEnd[1]},
                        geo.dilations, (int) node.attrLong("group", 1), w.asFloats().clone(), bias.clone());
                OpCase prev = best.get(c.kind());
                if (prev == null || c.denseFlops() > prev.denseFlops()) {
                    best.put(c.kind(), c);
                }
            });
        } finally {
            backend.close();
        }
        cases.addAll(best.values());
    }

    static void matMuls(Path file, String source, int rows, List<OpCase> cases) {
        if (!Files.exists(file)) {
            System.out.println("skipping " + source + ": " + file + " not found");
            return;
        }
        Graph g = TestModels.load(file).graph();
        Map<String, OpCase> byShape = new LinkedHashMap<>();
        for (Node n : g.nodes()) {
            if (n.opType().equals("MatMul") && g.isWeight(n.input(1))) {
                Tensor w = g.weights().get(n.input(1));
                if (w.rank() != 2) {
                    continue;
                }
                int[] ws = NdArray.toIntShape(w.shape());
                OpCase c = new OpCase(source + "/" + n.name(), source, "MatMul", new int[] {rows, ws[0]}, ws,
                        null, null, null, 1, w.toFloatArray(), null);
                byShape.putIfAbsent(java.util.Arrays.toString(ws), c);
            }
        }
        byShape.values().stream().sorted((a, b) -> Double.compare(b.denseFlops(), a.denseFlops())).limit(3)
                .forEach(cases::add);
    }
}
