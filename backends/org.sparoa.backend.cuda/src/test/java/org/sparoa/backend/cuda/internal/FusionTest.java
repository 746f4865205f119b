package org.sparoa.backend.cuda.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.sparoa.api.DataType;
import org.sparoa.api.Graph;
import org.sparoa.api.Node;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;
import org.sparoa.api.UnsupportedOperatorException;

/**
 * Conv -> BatchNormalization -> Add(residual) -> Relu compiles to one launch whose result equals a naive
 * computation of the four operators; the kernel follows the weights' sparsity; what cannot be fused stays apart.
 */
class FusionTest {
    private static final int C = 8;
    private static final int K = 8;
    private static final int H = 5;

    private static Graph graph(float[] w, boolean residualIsOutputToo) {
        Map<String, Tensor> weights = new HashMap<>();
        weights.put("w", Tensor.ofFloats(new long[] {K, C, 1, 1}, w));
        float[] gamma = new float[K];
        float[] beta = new float[K];
        float[] mean = new float[K];
        float[] var = new float[K];
        for (int k = 0; k < K; k++) {
            gamma[k] = 1 + 0.1f * k;
            beta[k] = 0.05f * k;
            mean[k] = -0.02f * k;
            var[k] = 0.5f + 0.01f * k;
        }
        weights.put("g", Tensor.ofFloats(new long[] {K}, gamma));
        weights.put("b", Tensor.ofFloats(new long[] {K}, beta));
        weights.put("m", Tensor.ofFloats(new long[] {K}, mean));
        weights.put("v", Tensor.ofFloats(new long[] {K}, var));
        List<Node> nodes = List.of(
                new Node("conv", "Conv", "", List.of("x", "w"), List.of("c"), Map.of()),
                new Node("bn", "BatchNormalization", "", List.of("c", "g", "b", "m", "v"), List.of("n"), Map.of()),
                new Node("add", "Add", "", List.of("n", "r"), List.of("s"), Map.of()),
                new Node("relu", "Relu", "", List.of("s"), List.of("y"), Map.of()));
        long[] shape = {1, C, H, H};
        List<TensorInfo> outs = residualIsOutputToo
                ? List.of(new TensorInfo("y", DataType.FLOAT, shape), new TensorInfo("s", DataType.FLOAT, shape))
                : List.of(new TensorInfo("y", DataType.FLOAT, shape));
        return new Graph("g", nodes, List.of(new TensorInfo("x", DataType.FLOAT, shape),
                new TensorInfo("r", DataType.FLOAT, shape)), outs, weights, Map.of(), Map.of("", 13L));
    }

    private static float[] weights(double sparsity, Random r) {
        float[] w = new float[K * C];
        for (int i = 0; i < w.length; i++) {
            w[i] = r.nextDouble() < sparsity ? 0 : r.nextFloat() * 2 - 1;
        }
        return w;
    }

    private static float[] naive(Graph g, float[] x, float[] res) {
        float[] w = g.weights().get("w").toFloatArray();
        float[] gamma = g.weights().get("g").toFloatArray();
        float[] beta = g.weights().get("b").toFloatArray();
        float[] mean = g.weights().get("m").toFloatArray();
        float[] var = g.weights().get("v").toFloatArray();
        float[] y = new float[K * H * H];
        for (int k = 0; k < K; k++) {
            for (int p = 0; p < H * H; p++) {
                double acc = 0;
                for (int c = 0; c < C; c++) {
                    acc += w[k * C + c] * x[c * H * H + p];
                }
                double n = (acc - mean[k]) / Math.sqrt(var[k] + 1e-5) * gamma[k] + beta[k];
                y[k * H * H + p] = (float) Math.max(0, n + res[k * H * H + p]);
            }
        }
        return y;
    }

    private static Map<String, Tensor> inputs(Random r) {
        float[] x = new float[C * H * H];
        float[] res = new float[C * H * H];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() * 2 - 1;
            res[i] = r.nextFloat() * 2 - 1;
        }
        long[] shape = {1, C, H, H};
        return Map.of("x", Tensor.ofFloats(shape, x), "r", Tensor.ofFloats(shape, res));
    }

    private static void assertMatchesNaive(Graph g, Map<String, Tensor> in, Program p) {
        float[] expected = naive(g, in.get("x").toFloatArray(), in.get("r").toFloatArray());
        float[] actual = KernelEmulator.run(p, in).get("y").toFloatArray();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5, "element " + i);
        }
    }

    @Test
    void denseChainIsOneTiledProductWithTheEpilogue() {
        Random r = new Random(1);
        Graph g = graph(weights(0.1, r), false);
        Map<String, Tensor> in = inputs(r);
        Program p = ProgramBuilder.compile(g, g.nodes(), g.inputs(), g.outputs(), in, 0.7);
        assertEquals(1, p.steps().size(), "one launch for four operators");
        assertEquals(Kernel.GEMM, p.steps().get(0).kernel());
        assertMatchesNaive(g, in, p);
    }

    @Test
    void sparseChainIsOneCsrPointwiseConvolution() {
        Random r = new Random(2);
        Graph g = graph(weights(0.9, r), false);
        Map<String, Tensor> in = inputs(r);
        Program p = ProgramBuilder.compile(g, g.nodes(), g.inputs(), g.outputs(), in, 0.7);
        assertEquals(1, p.steps().size());
        assertEquals(Kernel.CONV1X1_CSR, p.steps().get(0).kernel());
        assertMatchesNaive(g, in, p);
    }

    @Test
    void aTensorTheSegmentHandsOnIsNotFusedAway() {
        Random r = new Random(3);
        Graph g = graph(weights(0.1, r), true);
        Map<String, Tensor> in = inputs(r);
        Program p = ProgramBuilder.compile(g, g.nodes(), g.inputs(), g.outputs(), in, 0.7);
        assertEquals(2, p.steps().size(), "the Add's output is a segment output: Relu runs on its own");
        assertEquals(Kernel.UNARY, p.steps().get(1).kernel());
        assertMatchesNaive(g, in, p);
        assertTrue(p.outputs().stream().anyMatch(o -> o.name().equals("s")));
    }

    @Test
    void weightsComputedOnTheDeviceAreRefusedNamingTheOperator() {
        Node relu = new Node("r", "Relu", "", List.of("w0"), List.of("w"), Map.of());
        Node conv = new Node("dyn", "Conv", "", List.of("x", "w"), List.of("y"), Map.of());
        long[] xs = {1, 2, 3, 3};
        long[] wShape = {2, 2, 1, 1};
        Graph g = new Graph("g", List.of(relu, conv), List.of(new TensorInfo("x", DataType.FLOAT, xs),
                new TensorInfo("w0", DataType.FLOAT, wShape)),
                List.of(new TensorInfo("y", DataType.FLOAT, xs)), Map.of(), Map.of(), Map.of("", 13L));
        Map<String, Tensor> in = Map.of("x", Tensor.ofFloats(xs, new float[18]), "w0", Tensor.ofFloats(wShape, new float[4]));
        UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class,
                () -> ProgramBuilder.compile(g, g.nodes(), g.inputs(), g.outputs(), in, 0.7));
        assertTrue(e.getMessage().contains("'dyn'") && e.getMessage().contains("run time"), e.getMessage());
        assertTrue(CudaOperatorSupport.whyNot(conv, g).isPresent(), "supports() refuses it up front");
        // weights that are a model input are known when the program is compiled: that one is accepted
        Node direct = new Node("d", "Conv", "", List.of("x", "w0"), List.of("y"), Map.of());
        assertTrue(CudaOperatorSupport.whyNot(direct, g).isEmpty());
    }

    @Test
    void aZeroPadOfHeightAndWidthBecomesTheConvolutionsOwnPadding() {
        Random r = new Random(4);
        long[] xs = {1, 2, 4, 4};
        float[] w = new float[3 * 2 * 3 * 3];
        for (int i = 0; i < w.length; i++) {
            w[i] = r.nextFloat() - 0.5f;
        }
        Map<String, Tensor> weights = new HashMap<>();
        weights.put("w", Tensor.ofFloats(new long[] {3, 2, 3, 3}, w));
        weights.put("pads", Tensor.ofLongs(new long[] {8}, new long[] {0, 0, 1, 0, 0, 0, 0, 1}));
        Node pad = new Node("pad", "Pad", "", List.of("x", "pads"), List.of("p"), Map.of());
        Node conv = new Node("conv", "Conv", "", List.of("p", "w"), List.of("y"), Map.of());
        long[] ys = {1, 3, 3, 3};
        Graph padded = new Graph("g", List.of(pad, conv), List.of(new TensorInfo("x", DataType.FLOAT, xs)),
                List.of(new TensorInfo("y", DataType.FLOAT, ys)), weights, Map.of(), Map.of("", 13L));
        float[] x = new float[32];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() * 2 - 1;
        }
        Map<String, Tensor> in = Map.of("x", Tensor.ofFloats(xs, x));
        Program p = ProgramBuilder.compile(padded, padded.nodes(), padded.inputs(), padded.outputs(), in, 0.7);
        assertEquals(List.of(Kernel.CONV2D), p.steps().stream().map(Step::kernel).toList(), "no pad kernel");
        // the same convolution given the asymmetric padding directly
        Node direct = new Node("conv", "Conv", "", List.of("x", "w"), List.of("y"), Map.of("pads",
                new org.sparoa.api.Attribute("pads", org.sparoa.api.Attribute.Kind.INTS, new long[] {1, 0, 0, 1})));
        Graph g = new Graph("g", List.of(direct), padded.inputs(), padded.outputs(), weights, Map.of(), Map.of("", 13L));
        float[] expected = KernelEmulator.run(ProgramBuilder.compile(g, g.nodes(), g.inputs(), g.outputs(), in, 0.7), in)
                .get("y").toFloatArray();
        float[] actual = KernelEmulator.run(p, in).get("y").toFloatArray();
        assertEquals(27, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 0f, "element " + i);
        }
    }
}
