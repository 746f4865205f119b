package org.sparoa.backend.cuda.internal;

import java.util.List;
import java.util.Optional;

import org.sparoa.api.Node;

/** An activation the kernels apply as their epilogue (the ACT_ codes of the .cu), with its two parameters. */
record Activation(int code, float a, float b) {
    static final Activation NONE = new Activation(0, 0, 0);
    static final int RELU = 1;
    static final int CLIP = 2;
    static final int SIGMOID = 3;
    static final int HARD_SIGMOID = 4;
    static final int HARD_SWISH = 5;
    static final int LEAKY_RELU = 6;

    /**
     * The activation of a one-input element-wise node, or empty when it is not one; {@code operands} holds the
     * node's inputs where the host knows them (Clip's bounds must be known to be fused).
     */
    static Optional<Activation> of(Node node, List<HostValue> operands) {
        return switch (node.opType()) {
            case "Relu" -> Optional.of(new Activation(RELU, 0, 0));
            case "Sigmoid" -> Optional.of(new Activation(SIGMOID, 0, 0));
            case "HardSigmoid" -> Optional.of(new Activation(HARD_SIGMOID, node.attrFloat("alpha", 0.2f),
                    node.attrFloat("beta", 0.5f)));
            case "HardSwish" -> Optional.of(new Activation(HARD_SWISH, 0, 0));
            case "LeakyRelu" -> Optional.of(new Activation(LEAKY_RELU, node.attrFloat("alpha", 0.01f), 0));
            case "Clip" -> clip(node, operands);
            default -> Optional.empty();
        };
    }

    private static Optional<Activation> clip(Node node, List<HostValue> operands) {
        float lo = node.attrFloat("min", Float.NEGATIVE_INFINITY);
        float hi = node.attrFloat("max", Float.POSITIVE_INFINITY);
        for (int i = 1; i <= 2; i++) {
            if (node.input(i).isEmpty()) {
                continue;
            }
            HostValue v = i < operands.size() ? operands.get(i) : null;
            if (v == null || v.size() != 1) {
                return Optional.empty(); // bounds computed on the device: not an epilogue
            }
            if (i == 1) {
                lo = (float) v.data()[0];
            } else {
                hi = (float) v.data()[0];
            }
        }
        return Optional.of(new Activation(CLIP, lo, hi));
    }

    /** The same function on the host, for the emulator and for folding. */
    float apply(float v) {
        return switch (code) {
            case RELU -> v > 0 ? v : 0;
            case CLIP -> Math.min(Math.max(v, a), b);
            case SIGMOID -> (float) (1 / (1 + Math.exp(-v)));
            case HARD_SIGMOID -> Math.min(Math.max(a * v + b, 0), 1);
            case HARD_SWISH -> v * Math.min(Math.max(v / 6f + 0.5f, 0), 1);
            case LEAKY_RELU -> v >= 0 ? v : a * v;
            default -> v;
        };
    }
}
