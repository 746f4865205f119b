package org.sparoa.analyzer.internal;

import java.util.Map;

/**
 * Normalisation, per element of the input. BatchNormalization (inference): 2, a multiply and an add once its
 * statistics are folded into a scale and a shift. Instance/Layer/Group/MeanVariance normalisation, which compute
 * their statistics: 7 (mean 1, centre 1, square and accumulate 2, scale by the inverse deviation 1, gamma and
 * beta 2). LRN: {@code 2·size} (square and sum over the window) plus 3 (scale, power, divide).
 * Reductions (ReduceSum, ReduceMax, ArgMax, ...): 1 per input element; ReduceMean adds a divide per output
 * element, ReduceSumSquare/ReduceL2/ReduceLogSumExp 2 per input element.
 */
final class NormalizationFlops {
    private NormalizationFlops() {
    }

    static void register(Map<String, FlopRule> rules) {
        rules.put("BatchNormalization", op -> 2 * op.inputElements(0));
        for (String type : new String[] {"InstanceNormalization", "LayerNormalization", "GroupNormalization",
            "MeanVarianceNormalization"}) {
            rules.put(type, op -> 7 * op.inputElements(0));
        }
        rules.put("LRN", op -> (2 * op.node().attrLong("size", 1) + 3) * op.inputElements(0));
        for (String type : new String[] {"ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1",
            "ArgMax", "ArgMin"}) {
            rules.put(type, op -> op.inputElements(0));
        }
        rules.put("ReduceMean", op -> op.inputElements(0) + op.outputElements(0));
        for (String type : new String[] {"ReduceSumSquare", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp"}) {
            rules.put(type, op -> 2 * op.inputElements(0));
        }
    }
}
