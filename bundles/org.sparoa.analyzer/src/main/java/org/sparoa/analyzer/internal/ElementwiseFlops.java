package org.sparoa.analyzer.internal;

import java.util.Map;

/**
 * Element-wise operators, counted per output element: a fixed cost per element for each activation (a
 * transcendental function such as exp, log or erf counts 1), 1 for binary arithmetic and comparisons, and
 * {@code inputs - 1} for the variadic Sum/Max/Min ({@code inputs} for Mean, which also divides).
 */
final class ElementwiseFlops {
    private ElementwiseFlops() {
    }

    /** FLOPs per output element of each activation or unary operator, with the reason in a comment. */
    private static final Map<String, Integer> PER_ELEMENT = Map.ofEntries(
            Map.entry("Relu", 1),            // max(x, 0)
            Map.entry("LeakyRelu", 2),       // compare, multiply
            Map.entry("PRelu", 2),
            Map.entry("ThresholdedRelu", 1),
            Map.entry("Clip", 2),            // min, max
            Map.entry("HardSigmoid", 4),     // multiply, add, min, max
            Map.entry("HardSwish", 5),       // HardSigmoid, multiply
            Map.entry("Sigmoid", 4),         // negate, exp, add, divide
            Map.entry("Tanh", 1),
            Map.entry("Elu", 3),             // compare, exp, multiply-subtract
            Map.entry("Selu", 4),
            Map.entry("Celu", 4),
            Map.entry("Softplus", 3),        // exp, add, log
            Map.entry("Softsign", 3),        // abs, add, divide
            Map.entry("Mish", 5),            // softplus, tanh, multiply
            Map.entry("Gelu", 5),            // divide, erf, add, multiply, multiply
            Map.entry("Erf", 1), Map.entry("Exp", 1), Map.entry("Log", 1), Map.entry("Sqrt", 1),
            Map.entry("Reciprocal", 1), Map.entry("Abs", 1), Map.entry("Neg", 1), Map.entry("Sign", 1),
            Map.entry("Floor", 1), Map.entry("Ceil", 1), Map.entry("Round", 1), Map.entry("Sin", 1),
            Map.entry("Cos", 1), Map.entry("Tan", 1), Map.entry("Atan", 1), Map.entry("Not", 1),
            Map.entry("IsNaN", 1), Map.entry("IsInf", 1),
            Map.entry("Softmax", 5),         // max, subtract, exp, sum, divide
            Map.entry("LogSoftmax", 5),      // max, subtract, exp, sum, log-subtract
            Map.entry("Hardmax", 1));

    private static final String[] BINARY = {"Add", "Sub", "Mul", "Div", "Pow", "Mod", "Equal", "Greater", "Less",
        "GreaterOrEqual", "LessOrEqual", "And", "Or", "Xor", "BitShift", "Where"};

    static void register(Map<String, FlopRule> rules) {
        PER_ELEMENT.forEach((type, cost) -> rules.put(type, op -> cost * resultElements(op)));
        for (String type : BINARY) {
            rules.put(type, ElementwiseFlops::resultElements);
        }
        for (String type : new String[] {"Sum", "Max", "Min"}) {
            rules.put(type, op -> (op.presentInputs() - 1) * resultElements(op));
        }
        rules.put("Mean", op -> op.presentInputs() * resultElements(op));
    }

    /** Elements of the (broadcast) result: the measured output, else the broadcast of the inputs. */
    static long resultElements(OperatorContext op) {
        long[] y = op.outputOrNull(0);
        if (y != null) {
            return WindowGeometry.product(y, 0);
        }
        long[] shape = new long[0];
        for (int i = 0; i < op.node().inputs().size(); i++) {
            if (op.hasInput(i)) {
                shape = broadcast(shape, op.input(i));
            }
        }
        return WindowGeometry.product(shape, 0);
    }

    static long[] broadcast(long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            long db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            out[i] = da == 1 ? db : da;
        }
        return out;
    }
}
