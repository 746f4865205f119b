package org.sparoa.backend.cuda.internal;

import java.util.ArrayList;
import java.util.List;

import org.sparoa.api.Node;

/**
 * What a Conv, Gemm or MatMul kernel applies to its sums before it stores them, gathered from the operators that
 * follow it, as sparse-cpu fuses them: BatchNormalization (Conv only, folded into the weights by the caller),
 * an Add of a per-channel constant (into the bias) or of a tensor of the output's shape (a residual), then one
 * activation. Only operators that alone read the previous result, and that are no segment output, are fused.
 */
final class Epilogue {
    /** The last tensor the fused chain produces: where the kernel's output is defined. */
    String output;
    Operand residual;
    Activation activation = Activation.NONE;
    /** BatchNormalizations to fold, in order (their scale and shift inputs are host values). */
    final List<Node> batchNorms = new ArrayList<>();
    /** Constants to add to the bias, broadcast along the bias axis. */
    final List<HostValue> biasAdds = new ArrayList<>();

    /**
     * Walks the chain after {@code node}. {@code channels} is the length of the bias; {@code biasShapeOk} says
     * whether a constant of that shape adds one value per bias entry; {@code outShape} is the kernel's output.
     */
    static Epilogue gather(ProgramBuilder b, Node node, int index, boolean allowBatchNorm, long[] outShape,
                           java.util.function.Predicate<long[]> biasShapeOk) {
        Epilogue e = new Epilogue();
        e.output = node.outputs().get(0);
        while (true) {
            Node r = b.soleReader(e.output, index);
            if (r == null) {
                break;
            }
            String op = r.opType();
            if (op.equals("BatchNormalization") && allowBatchNorm && e.residual == null && e.biasAdds.isEmpty()
                    && r.input(0).equals(e.output) && hostInputs(b, r, 1, 4) && r.outputs().stream().skip(1).allMatch(String::isEmpty)) {
                e.batchNorms.add(r);
            } else if (op.equals("Add") && e.residual == null) {
                String other = r.input(0).equals(e.output) ? r.input(1) : r.input(0);
                HostValue h = b.hostValue(other);
                if (h != null && biasShapeOk.test(h.shape())) {
                    e.biasAdds.add(h);
                } else if (h == null && b.isOnDevice(other)
                        && java.util.Arrays.equals(b.shapeOf(other), outShape) && !other.equals(e.output)) {
                    e.residual = b.operand(other);
                } else {
                    break;
                }
            } else {
                List<HostValue> operands = new ArrayList<>();
                for (String in : r.inputs()) {
                    operands.add(in.isEmpty() ? null : b.hostValue(in));
                }
                var act = r.input(0).equals(e.output) ? Activation.of(r, operands) : java.util.Optional.<Activation>empty();
                if (act.isEmpty()) {
                    break;
                }
                e.activation = act.get();
                b.fuseAway(r);
                e.output = r.outputs().get(0);
                break;
            }
            b.fuseAway(r);
            e.output = r.outputs().get(0);
        }
        return e;
    }

    private static boolean hostInputs(ProgramBuilder b, Node n, int from, int to) {
        for (int i = from; i <= to; i++) {
            if (n.input(i).isEmpty() || b.hostValue(n.input(i)) == null) {
                return false;
            }
        }
        return true;
    }

    /**
     * Folds the chain's BatchNormalizations into weights {@code w} ({@code channels} rows) and {@code bias}, and
     * adds the constant Adds to {@code bias}.
     */
    void foldInto(ProgramBuilder b, float[] w, float[] bias, int channels) {
        int per = w.length / channels;
        for (Node bn : batchNorms) {
            float[] gamma = b.hostValue(bn.input(1)).toFloats();
            float[] beta = b.hostValue(bn.input(2)).toFloats();
            float[] mean = b.hostValue(bn.input(3)).toFloats();
            float[] var = b.hostValue(bn.input(4)).toFloats();
            float eps = bn.attrFloat("epsilon", 1e-5f);
            for (int k = 0; k < channels; k++) {
                float s = (float) (gamma[k] / Math.sqrt(var[k] + eps));
                for (int j = 0; j < per; j++) {
                    w[k * per + j] *= s;
                }
                bias[k] = (bias[k] - mean[k]) * s + beta[k];
            }
        }
        for (HostValue add : biasAdds) {
            float[] v = add.toFloats();
            for (int k = 0; k < channels; k++) {
                bias[k] += v.length == 1 ? v[0] : v[k];
            }
        }
    }
}
