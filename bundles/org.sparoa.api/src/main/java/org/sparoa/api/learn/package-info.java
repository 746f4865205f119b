/**
 * Learned models without exposing their numerical library: sequence networks (a Transformer encoder followed by an
 * LSTM that reads a sequence of feature vectors and writes one output vector per step;
 * {@link org.sparoa.api.learn.SequenceNetworks}) and discrete soft actor-critic agents
 * ({@link org.sparoa.api.learn.SoftActorCritics}, since 1.1). The bundle {@code org.sparoa.ml} implements both on
 * ND4J/SameDiff, which stays private to it. {@link org.sparoa.api.learn.Trainable} is how a bundle offers something
 * to {@code sparoa:train}; {@link org.sparoa.api.learn.WeightArrays} (since 1.4) how their files hold weights.
 */
@Export
@Version("1.4.0")
package org.sparoa.api.learn;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
