/**
 * The threshold predictor's tooling, usable inside and outside OSGi: the operator data set (measured crossovers on
 * live backends, simulated intensity crossovers), feature encoding, training with early stopping, the saved model
 * file, and decision-accuracy evaluation (leave-model-out, with baselines). The service itself
 * ({@link org.sparoa.api.predict.ThresholdPredictor}) lives in {@code .internal}.
 */
@Export
@Version("2.0.0")
package org.sparoa.predictor;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
