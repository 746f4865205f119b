package org.sparoa.backend.sparse.internal;

import java.util.Arrays;

/**
 * One benchmarked operator shape, with its real weights: a 2-D Conv ({@code x = NCHW}, {@code w = M x C/g x kh x kw},
 * explicit pads), a MatMul ({@code x = M x K}, {@code w = K x N}) or a Gemm with {@code transB=1}
 * ({@code x = M x K}, {@code w = N x K}, bias of N).
 */
record OpCase(String name, String source, String op, int[] x, int[] w, int[] strides, int[] pads, int[] dilations,
              int group, float[] weights, float[] bias) {

    String kind() {
        if (op.equals("MatMul")) {
            return "matmul";
        }
        if (op.equals("Gemm")) {
            return "gemm";
        }
        if (group > 1 && group == x[1]) {
            return "depthwise" + w[2] + "x" + w[3];
        }
        return "conv" + w[2] + "x" + w[3];
    }

    int[] outShape() {
        if (op.equals("MatMul")) {
            return new int[] {x[0], w[1]};
        }
        if (op.equals("Gemm")) {
            return new int[] {x[0], w[0]};
        }
        int oh = (x[2] + pads[0] + pads[2] - ((w[2] - 1) * dilations[0] + 1)) / strides[0] + 1;
        int ow = (x[3] + pads[1] + pads[3] - ((w[3] - 1) * dilations[1] + 1)) / strides[1] + 1;
        return new int[] {x[0], w[0], oh, ow};
    }

    /** Multiply-adds times two, counting every weight (the dense work). */
    double denseFlops() {
        if (op.equals("MatMul")) {
            return 2.0 * x[0] * x[1] * w[1];
        }
        if (op.equals("Gemm")) {
            return 2.0 * x[0] * x[1] * w[0];
        }
        int[] o = outShape();
        return 2.0 * o[0] * o[1] * o[2] * o[3] * w[1] * w[2] * w[3];
    }

    String describe() {
        return op.equals("MatMul") || op.equals("Gemm")
                ? "x" + Arrays.toString(x) + " w" + Arrays.toString(w)
                : "x" + Arrays.toString(x) + " w" + Arrays.toString(w) + " s" + strides[0] + " g" + group;
    }
}
