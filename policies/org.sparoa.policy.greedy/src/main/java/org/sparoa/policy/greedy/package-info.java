/**
 * Scheduling policy {@code greedy}: HEFT-style earliest-finish-time list scheduling over the engine's measured
 * cost model. Everything lives in {@code .internal}; the bundle only registers a
 * {@link org.sparoa.api.SchedulingPolicy} service.
 */
package org.sparoa.policy.greedy;
