package org.sparoa.analyzer.internal;

import java.util.Map;

/**
 * Pooling. MaxPool: one comparison per window element per output element. AveragePool: one add per window
 * element plus one divide per output element. LpPool: two per window element (power and add) plus one root per
 * output. GlobalAveragePool: one add per input element plus one divide per output; GlobalMaxPool and
 * GlobalLpPool: one (two) per input element.
 */
final class PoolFlops {
    private PoolFlops() {
    }

    static void register(Map<String, FlopRule> rules) {
        rules.put("MaxPool", op -> outputs(op) * window(op));
        rules.put("AveragePool", op -> outputs(op) * (window(op) + 1));
        rules.put("LpPool", op -> outputs(op) * (2 * window(op) + 1));
        rules.put("GlobalMaxPool", op -> op.inputElements(0));
        rules.put("GlobalAveragePool", op -> op.inputElements(0) + globalOutputs(op));
        rules.put("GlobalLpPool", op -> 2 * op.inputElements(0) + globalOutputs(op));
    }

    private static long window(OperatorContext op) {
        return WindowGeometry.product(op.node().attrLongs("kernel_shape", new long[0]), 0);
    }

    /** Output elements, measured or derived from the window attributes. */
    private static long outputs(OperatorContext op) {
        long[] y = op.outputOrNull(0);
        if (y != null) {
            return WindowGeometry.product(y, 0);
        }
        long[] x = op.input(0);
        long[] spatial = WindowGeometry.outputSpatial(op.node(), WindowGeometry.tail(x, 2),
                op.node().attrLongs("kernel_shape", new long[0]));
        return x[0] * x[1] * WindowGeometry.product(spatial, 0);
    }

    private static long globalOutputs(OperatorContext op) {
        long[] x = op.input(0);
        return x[0] * x[1];
    }
}
