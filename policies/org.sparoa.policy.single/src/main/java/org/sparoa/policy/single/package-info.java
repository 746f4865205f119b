/**
 * Scheduling policy {@code single}: every operator on one named backend, the single-device baselines
 * (CPU-only on {@code ort-cpu}, sparse-CPU-only on {@code sparse-cpu}, GPU-only on a GPU backend). Everything
 * lives in {@code .internal}; the bundle only registers a {@link org.sparoa.api.SchedulingPolicy} service.
 */
package org.sparoa.policy.single;
