package org.sparoa.analyzer.internal;

import java.util.Map;

/**
 * Matrix products, 2 FLOPs per multiply-add.
 * <ul>
 * <li>Gemm: {@code A' [M,K] · B' [K,N]} after the optional transposes: {@code 2·M·N·K}, plus {@code M·N} adds
 * when C is given. The scalings by alpha and beta are not counted (exporters leave them at 1).</li>
 * <li>MatMul (numpy semantics): {@code 2 · batch · M · N · K}, where batch is the product of the broadcast
 * leading dimensions; a 1-D operand contributes no M (or N) dimension.</li>
 * </ul>
 */
final class MatrixFlops {
    private MatrixFlops() {
    }

    static void register(Map<String, FlopRule> rules) {
        rules.put("Gemm", MatrixFlops::gemm);
        rules.put("MatMul", MatrixFlops::matMul);
        rules.put("MatMulInteger", MatrixFlops::matMul);
    }

    static long gemm(OperatorContext op) {
        long[] a = op.input(0);
        long[] b = op.input(1);
        boolean transA = op.node().attrLong("transA", 0) != 0;
        boolean transB = op.node().attrLong("transB", 0) != 0;
        long m = transA ? a[1] : a[0];
        long k = transA ? a[0] : a[1];
        long n = transB ? b[0] : b[1];
        long bias = op.hasInput(2) ? m * n : 0;
        return 2 * Math.multiplyExact(m * n, k) + bias;
    }

    static long matMul(OperatorContext op) {
        long[] a = op.input(0);
        long[] b = op.input(1);
        long m = a.length >= 2 ? a[a.length - 2] : 1;
        long k = a[a.length - 1];
        long n = b.length >= 2 ? b[b.length - 1] : 1;
        int batchRank = Math.max(a.length, b.length) - 2;
        long batch = 1;
        for (int i = 0; i < batchRank; i++) {
            batch *= Math.max(batchDim(a, batchRank, i), batchDim(b, batchRank, i));
        }
        return 2 * Math.multiplyExact(batch * m * n, k);
    }

    /** The i-th of {@code batchRank} broadcast leading dimensions of an operand (1 where it has fewer). */
    private static long batchDim(long[] shape, int batchRank, int i) {
        int own = shape.length - 2;
        int j = i - (batchRank - own);
        return own <= 0 || j < 0 ? 1 : shape[j];
    }
}
