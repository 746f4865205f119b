package org.sparoa.backend.sparse.internal;

import org.sparoa.api.DataType;
import org.sparoa.api.Node;

/**
 * Cast between FLOAT, INT64, INT32 and BOOL. Integers and booleans are held as int64 inside a segment: a cast to
 * INT32 wraps to 32 bits, a cast to BOOL maps non-zero to 1, a float cast to an integer truncates toward zero.
 */
final class Cast implements Kernel {
    private final Node node;
    private final DataType to;

    Cast(Node node) {
        this.node = node;
        this.to = target(node);
    }

    /** The target type, or an exception naming what is refused. */
    static DataType target(Node node) {
        long code = node.attrLong("to", -1);
        for (DataType t : DataType.values()) {
            if (t.onnxCode() == code) {
                if (t == DataType.FLOAT || t == DataType.INT64 || t == DataType.INT32 || t == DataType.BOOL) {
                    return t;
                }
                throw new IllegalArgumentException("Cast to " + t + " is not implemented (FLOAT, INT64, INT32, BOOL are)");
            }
        }
        throw new IllegalArgumentException("Cast has no valid 'to' attribute (" + code + ")");
    }

    @Override
    public NdArray[] run(NdArray[] in, Parallel parallel) {
        NdArray x = in[0];
        int n = x.size();
        if (to == DataType.FLOAT) {
            return new NdArray[] {x.isFloat() ? x : NdArray.ofFloats(x.shape, x.asFloats())};
        }
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = switch (to) {
                case BOOL -> (x.isFloat() ? x.floats[i] != 0 : x.longs[i] != 0) ? 1 : 0;
                case INT32 -> x.isFloat() ? (long) (int) x.floats[i] : (long) (int) x.longs[i];
                default -> x.isFloat() ? (long) x.floats[i] : x.longs[i];
            };
        }
        return new NdArray[] {NdArray.ofLongs(x.shape, y)};
    }

    @Override
    public String toString() {
        return node + " to " + to;
    }
}
