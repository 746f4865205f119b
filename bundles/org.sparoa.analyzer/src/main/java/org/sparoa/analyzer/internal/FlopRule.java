package org.sparoa.analyzer.internal;

/** Counts the floating-point operations of one operator type, 2 per multiply-add. */
@FunctionalInterface
interface FlopRule {
    /** FLOPs of the operator; throws {@link MissingShapeException} when a shape it needs is unknown. */
    long flops(OperatorContext op);
}
