/**
 * Scheduling policy {@code sac}: a discrete soft actor-critic agent places each operator, in topological order, on
 * one of a fixed number of backend slots from the operator's features, its predicted thresholds, the cost model and
 * the backends' live state. Trained offline on cost environments built from measured profiles (with simulated load
 * on one backend), through {@code sparoa:train sac}. Everything lives in {@code .internal}; the bundle registers a
 * {@link org.sparoa.api.SchedulingPolicy} and a {@link org.sparoa.api.learn.Trainable} service. How the shipped
 * default weights were trained: see the bundle's README.
 */
package org.sparoa.policy.sac;
