/**
 * The async batching engine: requests for a model wait in that model's bounded queue and run as dynamic batches
 * (inputs concatenated along a dynamic leading dimension, outputs split back) chosen to meet a latency objective.
 * Every accepted request is answered exactly once.
 */
@Export
@Version("1.1.0")
package org.sparoa.batching;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
