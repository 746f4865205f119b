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
 * k x k convolution are kept. MatMul weights come from the PP-OCR recogniser (not runnable here end to end).
 */
final class OpCaseCollector {
    private OpCaseCollector() {
    }

    static List<OpCase> collect(Path shared, Path models) throws Exception {
        List<OpCase> cases = new ArrayList<>();
        cases.add(canonicalPointwise());
        scanConvs(models.resolve("ch_PP-OCRv3_det_infer.onnx"), "PP-OCRv3-det", cases);
        scanConvs(shared.resolve("models").resolve("blazeface_back_256x256.onnx"), "blazeface-back", cases);
        scanConvs(shared.resolve("models").resolve("mlsd_320x320_tiny.onnx"), "mlsd-tiny", cases);
        matMuls(models.resolve("ch_PP-OCRv3_rec_infer.onnx"), "PP-OCRv3-rec", 40, cases);
        return cases;
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
        OpCase biggest = null;
        for (Node n : g.nodes()) {
            if (n.opType().equals("MatMul") && g.isWeight(n.input(1))) {
                Tensor w = g.weights().get(n.input(1));
                if (w.rank() != 2) {
                    continue;
                }
                int[] ws = NdArray.toIntShape(w.shape());
                OpCase c = new OpCase(source + "/" + n.name(), source, "MatMul", new int[] {rows, ws[0]}, ws,
                        null, null, null, 1, w.toFloatArray(), null);
                if (biggest == null || c.denseFlops() > biggest.denseFlops()) {
                    biggest = c;
                }
            }
        }
        if (biggest != null) {
            cases.add(biggest);
        }
    }
}
