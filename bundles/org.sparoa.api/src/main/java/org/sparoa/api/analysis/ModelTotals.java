package org.sparoa.api.analysis;

/**
 * Whole-model sums. {@code flops} adds up the operators with a known FLOP count; {@code unknownFlopOperators}
 * says how many were left out because their FLOPs are unknown.
 */
public record ModelTotals(long flops, long params, long bytes, int operators, int unknownFlopOperators) {
}
