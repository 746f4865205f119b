package org.sparoa.analyzer.internal;

import java.util.Map;

import org.sparoa.api.Node;

/**
 * Convolutions, 2 FLOPs per multiply-add.
 * <ul>
 * <li>Conv: {@code 2 · N · M · prod(out spatial) · (C / group) · prod(kernel)}, plus one add per output element
 * for the bias. Grouped and depthwise convolutions are covered by {@code C / group}; stride, padding and
 * dilation act through the output size (taken from the measured output shape, else derived from the attributes).</li>
 * <li>ConvTranspose: every input element is scattered through the kernel onto {@code M / group} output channels:
 * {@code 2 · N · C · prod(in spatial) · (M / group) · prod(kernel)}, plus one add per output element for the bias.</li>
 * </ul>
 * Weights W are {@code [M, C/group, k...]} for Conv and {@code [C, M/group, k...]} for ConvTranspose.
 */
final class ConvFlops {
    private ConvFlops() {
    }

    static void register(Map<String, FlopRule> rules) {
        rules.put("Conv", ConvFlops::conv);
        rules.put("ConvInteger", ConvFlops::conv);
        rules.put("ConvTranspose", ConvFlops::convTranspose);
    }

    static long conv(OperatorContext op) {
        long[] x = op.input(0);
        long[] w = op.input(1);
        long n = x[0];
        long m = w[0];
        long channelsPerGroup = w[1];
        long kernel = WindowGeometry.product(w, 2);
        long outSpatial = WindowGeometry.product(outputSpatial(op, x, w), 0);
        long outputs = n * m * outSpatial;
        long macs = Math.multiplyExact(outputs, channelsPerGroup * kernel);
        long bias = op.node().opType().equals("Conv") && op.hasInput(2) ? outputs : 0;
        return 2 * macs + bias;
    }

    static long convTranspose(OperatorContext op) {
        long[] x = op.input(0);
        long[] w = op.input(1);
        long group = op.node().attrLong("group", 1);
        long n = x[0];
        long c = x[1];
        long outChannelsPerGroup = w[1];
        long inSpatial = WindowGeometry.product(x, 2);
        long kernel = WindowGeometry.product(w, 2);
        long macs = Math.multiplyExact(n * c * inSpatial, outChannelsPerGroup * kernel);
        long bias = 0;
        if (op.hasInput(2)) {
            long[] y = op.outputOrNull(0);
            long outSpatial = y != null ? WindowGeometry.product(y, 2)
                    : WindowGeometry.product(transposedSpatial(op.node(), x, w), 0);
            bias = n * outChannelsPerGroup * group * outSpatial;
        }
        return 2 * macs + bias;
    }

    private static long[] outputSpatial(OperatorContext op, long[] x, long[] w) {
        long[] y = op.outputOrNull(0);
        if (y != null) {
            return WindowGeometry.tail(y, 2);
        }
        long[] kernel = op.node().attrLongs("kernel_shape", WindowGeometry.tail(w, 2));
        return WindowGeometry.outputSpatial(op.node(), WindowGeometry.tail(x, 2), kernel);
    }

    /** ONNX ConvTranspose output size when no {@code output_shape} is given and {@code auto_pad} is NOTSET. */
    private static long[] transposedSpatial(Node node, long[] x, long[] w) {
        int k = x.length - 2;
        long[] explicit = node.attrLongs("output_shape", null);
        if (explicit != null) {
            return WindowGeometry.tail(explicit, explicit.length - k);
        }
        long[] strides = node.attrLongs("strides", filled(k, 1));
        long[] dilations = node.attrLongs("dilations", filled(k, 1));
        long[] pads = node.attrLongs("pads", new long[2 * k]);
        long[] outputPadding = node.attrLongs("output_padding", new long[k]);
        long[] out = new long[k];
        for (int i = 0; i < k; i++) {
            out[i] = strides[i] * (x[i + 2] - 1) + outputPadding[i] + (w[i + 2] - 1) * dilations[i] + 1
                    - pads[i] - pads[i + k];
        }
        return out;
    }

    private static long[] filled(int k, long v) {
        long[] a = new long[k];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
