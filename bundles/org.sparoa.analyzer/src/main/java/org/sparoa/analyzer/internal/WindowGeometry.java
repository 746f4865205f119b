package org.sparoa.analyzer.internal;

import org.sparoa.api.Node;

/**
 * Output spatial size of sliding-window operators (Conv, pools) from the ONNX attributes: kernel, strides,
 * pads, dilations, {@code auto_pad} and {@code ceil_mode}.
 */
final class WindowGeometry {
    private WindowGeometry() {
    }

    /** Output spatial dimensions for input spatial dimensions {@code in} and kernel spatial dimensions {@code kernel}. */
    static long[] outputSpatial(Node node, long[] in, long[] kernel) {
        int k = in.length;
        long[] strides = node.attrLongs("strides", ones(k));
        long[] dilations = node.attrLongs("dilations", ones(k));
        long[] pads = node.attrLongs("pads", new long[2 * k]);
        String autoPad = node.attrString("auto_pad", "NOTSET");
        boolean ceil = node.attrLong("ceil_mode", 0) != 0;
        long[] out = new long[k];
        for (int i = 0; i < k; i++) {
            long span = dilations[i] * (kernel[i] - 1) + 1;
            out[i] = switch (autoPad) {
                case "SAME_UPPER", "SAME_LOWER" -> ceilDiv(in[i], strides[i]);
                case "VALID" -> (in[i] - span) / strides[i] + 1;
                default -> {
                    long padded = in[i] + pads[i] + pads[i + k] - span;
                    long o = (ceil ? ceilDiv(padded, strides[i]) : Math.floorDiv(padded, strides[i])) + 1;
                    // ONNX: with ceil_mode the last window must start inside the input or its left padding
                    if (ceil && (o - 1) * strides[i] >= in[i] + pads[i]) {
                        o--;
                    }
                    yield o;
                }
            };
        }
        return out;
    }

    static long product(long[] dims, int from) {
        long p = 1;
        for (int i = from; i < dims.length; i++) {
            p = Math.multiplyExact(p, dims[i]);
        }
        return p;
    }

    static long[] tail(long[] dims, int from) {
        long[] t = new long[dims.length - from];
        System.arraycopy(dims, from, t, 0, t.length);
        return t;
    }

    private static long[] ones(int k) {
        long[] a = new long[k];
        java.util.Arrays.fill(a, 1);
        return a;
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
