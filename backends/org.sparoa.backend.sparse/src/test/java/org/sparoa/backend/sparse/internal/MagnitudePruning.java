package org.sparoa.backend.sparse.internal;

import java.util.Arrays;

/** Per-layer unstructured magnitude pruning for the benchmark: zero the smallest |w| until the target fraction. */
final class MagnitudePruning {
    private MagnitudePruning() {
    }

    static float[] prune(float[] w, double sparsity) {
        float[] out = w.clone();
        int target = (int) Math.round(sparsity * w.length);
        if (target == 0) {
            return out;
        }
        Integer[] order = new Integer[w.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (p, q) -> Float.compare(Math.abs(w[p]), Math.abs(w[q])));
        for (int i = 0; i < target; i++) {
            out[order[i]] = 0f;
        }
        return out;
    }
}
