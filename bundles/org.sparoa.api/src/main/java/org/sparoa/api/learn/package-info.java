/**
 * Sequence networks without exposing their numerical library: a Transformer encoder followed by an LSTM that reads
 * a sequence of feature vectors and writes one output vector per step. {@link org.sparoa.api.learn.SequenceNetworks}
 * is the service; the bundle {@code org.sparoa.ml} implements it on ND4J/SameDiff, which stays private to it.
 */
@Export
@Version("1.0.0")
package org.sparoa.api.learn;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
