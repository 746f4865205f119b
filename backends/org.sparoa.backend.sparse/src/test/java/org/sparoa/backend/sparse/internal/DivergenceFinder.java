package org.sparoa.backend.sparse.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.sparoa.api.DataType;
import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;
import org.sparoa.onnx.OnnxSegments;

/**
 * Debugging aid: runs a model on sparse-cpu keeping every intermediate tensor, then asks ONNX Runtime for the same
 * tensors (the model cut after each operator) and prints the first operators whose outputs differ.
 * Usage: {@code DivergenceFinder MODEL.onnx [unknownDim]}.
 */
public final class DivergenceFinder {
    private DivergenceFinder() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int dim = args.length > 1 ? Integer.parseInt(args[1]) : 320;
        Model model = TestModels.load(file);
        Graph g = model.graph();
        Map<String, Tensor> inputs = WholeModelTest.randomInputs(g, 42, dim);
        Map<String, float[]> ours = new HashMap<>();
        Map<String, Node> producer = new HashMap<>();
        SparseCpuBackend backend = new SparseCpuBackend(2, CsrMatrix.DEFAULT_DENSE_BELOW_SPARSITY);
        CompiledSparseSegment seg = (CompiledSparseSegment) backend.compile(TestModels.wholeModel(model));
        List<String> order = new ArrayList<>();
        seg.run(inputs, Parallel.sequential(), (node, in, out, nanos) -> {
            if (out[0].isFloat()) {
                ours.put(node.outputs().get(0), out[0].floats.clone());
                producer.put(node.outputs().get(0), node);
                order.add(node.outputs().get(0));
            }
        });
        backend.close();
        int shown = 0;
        try (OrtReference ort = new OrtReference(2)) {
            for (int i = 0; i < order.size() && shown < 8; i += Math.max(1, order.size() / 400)) {
                String name = order.get(i);
                Node n = producer.get(name);
                List<Node> prefix = g.nodes().subList(0, g.position(n.name()) + 1);
                byte[] cut = OnnxSegments.cut(model, "prefix", prefix, g.inputs(),
                        List.of(new TensorInfo(name, DataType.FLOAT, null)));
                Map<String, Tensor> ref;
                try (var session = ort.open(null, cut)) {
                    ref = ort.run(session, inputs);
                }
                float[] r = ref.get(name).toFloatArray();
                double err = WholeModelTest.rangeRelativeError(r, ours.get(name));
                if (i >= order.size() - 4) {
                    float[] o = ours.get(name);
                    int at = 0;
                    double worst = 0;
                    float lo = Float.MAX_VALUE;
                    float hi = -Float.MAX_VALUE;
                    for (int q = 0; q < r.length; q++) {
                        lo = Math.min(lo, r[q]);
                        hi = Math.max(hi, r[q]);
                        if (Math.abs(r[q] - o[q]) > worst) {
                            worst = Math.abs(r[q] - o[q]);
                            at = q;
                        }
                    }
                    System.out.println(n + ": range [" + lo + ", " + hi + "], worst at " + at + ": ort " + r[at]
                            + " ours " + o[at]);
                }
                if (err > 1e-5) {
                    System.out.println(i + " " + n + " " + n.attributes().keySet() + " range-relative error " + err);
                    n.attributes().forEach((k, v) -> System.out.println("   " + k + " = "
                            + (v.kind() == org.sparoa.api.Attribute.Kind.INTS ? java.util.Arrays.toString(v.asLongs())
                            : String.valueOf(v.value()))));
                    shown++;
                }
            }
        }
    }
}
