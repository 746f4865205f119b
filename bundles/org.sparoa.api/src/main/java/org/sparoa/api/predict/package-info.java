/**
 * The threshold predictor's contract: per operator of a model, in topological order, the sparsity threshold and
 * the computational-intensity threshold at which its best backend changes, for one pair of backends described by
 * their {@link org.sparoa.api.predict.DeviceDescriptor}s. {@link org.sparoa.api.predict.ThresholdPredictor} is the
 * service (bundle {@code org.sparoa.predictor}); the {@code threshold} policy uses it when it is present.
 */
@Export
@Version("1.0.0")
package org.sparoa.api.predict;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
