/**
 * SparOA's public API: the graph IR that every bundle shares, tensors, the two plugin SPIs
 * ({@link org.sparoa.api.DeviceBackend}, {@link org.sparoa.api.SchedulingPolicy}) and the platform services
 * ({@link org.sparoa.api.InferenceService}, {@link org.sparoa.api.ModelRegistry}).
 */
@Export
@Version("1.15.0")
package org.sparoa.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
