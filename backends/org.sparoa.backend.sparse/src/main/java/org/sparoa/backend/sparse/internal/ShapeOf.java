package org.sparoa.backend.sparse.internal;

/** Shape: the input's dimensions as a 1-D int64 tensor, optionally the axes [start, end) (opset 15). */
final class ShapeOf implements Kernel {
    private final long start;
    private final long end;

    ShapeOf(org.sparoa.api.Node node) {
        this.start = node.attrLong("start", 0);
        this.end = node.attrLong("end", Long.MAX_VALUE);
    }

    @Override
    public NdArray[] run(NdArray[] in, Parallel parallel) {
        int rank = in[0].rank();
        int from = clamp(start, rank);
        int to = Math.max(from, clamp(end, rank));
        long[] dims = new long[to - from];
        for (int i = from; i < to; i++) {
            dims[i - from] = in[0].shape[i];
        }
        return new NdArray[] {NdArray.ofLongs(new int[] {dims.length}, dims)};
    }

    /** Negative axes count from the end; out-of-range values clamp to [0, rank], as the operator defines. */
    private static int clamp(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        return (int) Math.max(0, Math.min(rank, a));
    }
}
