/**
 * Scheduling policy {@code threshold}: SparOA's quadrant rule. Operators at or above the sparsity threshold and
 * below the intensity threshold run on the sparse CPU backend, the others on the dense/fast one; small islands
 * that cost more to hand over than they gain are merged into their neighbours. Everything lives in
 * {@code .internal}; the bundle only registers a {@link org.sparoa.api.SchedulingPolicy} service.
 */
package org.sparoa.policy.threshold;
