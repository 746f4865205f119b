package org.sparoa.analyzer.internal;

import java.util.Map;

/**
 * Resize and Upsample, per output element, with {@code k} the number of axes whose size changes (the last two
 * when the input shape is unknown): nearest 0 (pure data movement); linear {@code 3 · (2^k - 1)} (one lerp of
 * 3 FLOPs per pair of neighbours: 3 lerps for bilinear); cubic {@code 2 · 4^k} (a multiply-add per tap).
 */
final class ResizeFlops {
    private ResizeFlops() {
    }

    static void register(Map<String, FlopRule> rules) {
        rules.put("Resize", ResizeFlops::resize);
        rules.put("Upsample", ResizeFlops::resize);
    }

    static long resize(OperatorContext op) {
        String mode = op.node().attrString("mode", "nearest").toLowerCase();
        long outputs = op.outputElements(0);
        int k = scaledAxes(op);
        return switch (mode) {
            case "linear", "bilinear", "trilinear" -> 3 * ((1L << k) - 1) * outputs;
            case "cubic", "bicubic" -> 2 * (1L << (2 * k)) * outputs;
            default -> 0;
        };
    }

    private static int scaledAxes(OperatorContext op) {
        long[] y = op.output(0);
        long[] x;
        try {
            x = op.input(0);
        } catch (MissingShapeException e) {
            return Math.min(2, y.length);
        }
        int k = 0;
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            if (x[i] != y[i]) {
                k++;
            }
        }
        return k;
    }
}
