package org.sparoa.backend.sparse.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.sparoa.api.Node;

/** Reshape, Flatten, Squeeze and Unsqueeze: the data stays as it is, only the shape changes (float32 or int64). */
final class ReshapeLike implements Kernel {
    enum Op { RESHAPE, FLATTEN, SQUEEZE, UNSQUEEZE }

    private final Node node;
    private final Op op;

    ReshapeLike(Node node, Op op) {
        this.node = node;
        this.op = op;
    }

    @Override
    public NdArray[] run(NdArray[] in, Parallel parallel) {
        NdArray x = in[0];
        int[] shape = switch (op) {
            case RESHAPE -> reshape(x, in[1].asLongs());
            case FLATTEN -> flatten(x);
            case SQUEEZE -> squeeze(x, axes(in));
            case UNSQUEEZE -> unsqueeze(x, axes(in));
        };
        return new NdArray[] {x.reshaped(shape)};
    }

    private long[] axes(NdArray[] in) {
        if (in.length > 1 && in[1] != null) {
            return in[1].asLongs();
        }
        return node.attrLongs("axes", null);
    }

    private int[] reshape(NdArray x, long[] target) {
        boolean allowZero = node.attrLong("allowzero", 0) != 0;
        int[] shape = new int[target.length];
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < target.length; i++) {
            long t = target[i];
            if (t == -1) {
                if (unknown >= 0) {
                    throw new IllegalArgumentException(node + ": shape " + Arrays.toString(target) + " has more than one -1");
                }
                unknown = i;
                continue;
            }
            if (t == 0 && !allowZero) {
                if (i >= x.rank()) {
                    throw new IllegalArgumentException(node + ": shape " + Arrays.toString(target)
                            + " copies dimension " + i + " that input " + x + " lacks");
                }
                t = x.shape[i];
            }
            if (t < 0) {
                throw new IllegalArgumentException(node + ": invalid dimension " + t + " in shape " + Arrays.toString(target));
            }
            shape[i] = (int) t;
            known *= t;
        }
        if (unknown >= 0) {
            if (known == 0 || x.size() % known != 0) {
                throw new IllegalArgumentException(node + ": cannot reshape " + x + " to " + Arrays.toString(target));
            }
            shape[unknown] = (int) (x.size() / known);
        } else if (known != x.size()) {
            throw new IllegalArgumentException(node + ": cannot reshape " + x + " (" + x.size() + " elements) to "
                    + Arrays.toString(target));
        }
        return shape;
    }

    private int[] flatten(NdArray x) {
        int axis = (int) node.attrLong("axis", 1);
        if (axis < 0) {
            axis += x.rank();
        }
        if (axis < 0 || axis > x.rank()) {
            throw new IllegalArgumentException(node + ": axis " + node.attrLong("axis", 1) + " out of range for " + x);
        }
        int outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= x.shape[i];
        }
        int inner = 1;
        for (int i = axis; i < x.rank(); i++) {
            inner *= x.shape[i];
        }
        return new int[] {outer, inner};
    }

    private int[] squeeze(NdArray x, long[] axes) {
        List<Integer> out = new ArrayList<>();
        boolean[] drop = new boolean[x.rank()];
        if (axes == null) {
            for (int i = 0; i < x.rank(); i++) {
                drop[i] = x.shape[i] == 1;
            }
        } else {
            for (long a : axes) {
                int ax = (int) (a < 0 ? a + x.rank() : a);
                if (ax < 0 || ax >= x.rank() || x.shape[ax] != 1) {
                    throw new IllegalArgumentException(node + ": cannot squeeze axis " + a + " of " + x);
                }
                drop[ax] = true;
            }
        }
        for (int i = 0; i < x.rank(); i++) {
            if (!drop[i]) {
                out.add(x.shape[i]);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private int[] unsqueeze(NdArray x, long[] axes) {
        if (axes == null) {
            throw new IllegalArgumentException(node + ": axes are required");
        }
        int rank = x.rank() + axes.length;
        boolean[] added = new boolean[rank];
        for (long a : axes) {
            int ax = (int) (a < 0 ? a + rank : a);
            if (ax < 0 || ax >= rank || added[ax]) {
                throw new IllegalArgumentException(node + ": invalid or repeated axis " + a + " for output rank " + rank);
            }
            added[ax] = true;
        }
        int[] shape = new int[rank];
        for (int i = 0, j = 0; i < rank; i++) {
            shape[i] = added[i] ? 1 : x.shape[j++];
        }
        return shape;
    }

    @Override
    public String warmupKind() {
        return getClass().getSimpleName() + ":" + op;
    }
}
