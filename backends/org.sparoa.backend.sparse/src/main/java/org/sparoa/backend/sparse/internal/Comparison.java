package org.sparoa.backend.sparse.internal;

import org.sparoa.api.Node;

/**
 * Equal, Less, LessOrEqual, Greater and GreaterOrEqual with numpy broadcasting, on float32 or int64 operands. The
 * boolean result is kept as int64 0/1 and becomes a BOOL tensor at the segment's edge.
 */
final class Comparison implements Kernel {
    enum Op { EQUAL, LESS, LESS_OR_EQUAL, GREATER, GREATER_OR_EQUAL }

    private final Node node;
    private final Op op;

    Comparison(Node node, Op op) {
        this.node = node;
        this.op = op;
    }

    @Override
    public NdArray[] run(NdArray[] in, Parallel parallel) {
        NdArray a = in[0];
        NdArray b = in[1];
        if (a.isFloat() != b.isFloat()) {
            throw new IllegalArgumentException(node + ": operands " + a + " and " + b + " have different element types");
        }
        int[] shape = Broadcast.shape(node, a.shape, b.shape);
        int n = NdArray.size(shape);
        long[] y = new long[n];
        boolean same = java.util.Arrays.equals(a.shape, shape) && java.util.Arrays.equals(b.shape, shape);
        int[] ia = same ? null : Broadcast.sourceIndices(shape, a.shape);
        int[] ib = same ? null : Broadcast.sourceIndices(shape, b.shape);
        for (int i = 0; i < n; i++) {
            int ja = same ? i : ia[i];
            int jb = same ? i : ib[i];
            int c = a.isFloat() ? compare(a.floats[ja], b.floats[jb]) : Long.compare(a.longs[ja], b.longs[jb]);
            boolean unordered = a.isFloat() && (Float.isNaN(a.floats[ja]) || Float.isNaN(b.floats[jb]));
            y[i] = !unordered && holds(c) ? 1 : 0;
        }
        return new NdArray[] {NdArray.ofLongs(shape, y)};
    }

    /** IEEE comparison: -0 equals +0 (NaN is handled by the caller: every comparison with it is false). */
    private static int compare(float x, float y) {
        return x < y ? -1 : (x > y ? 1 : 0);
    }

    private boolean holds(int c) {
        return switch (op) {
            case EQUAL -> c == 0;
            case LESS -> c < 0;
            case LESS_OR_EQUAL -> c <= 0;
            case GREATER -> c > 0;
            case GREATER_OR_EQUAL -> c >= 0;
        };
    }

    @Override
    public String warmupKind() {
        return getClass().getSimpleName() + ":" + op;
    }
}
