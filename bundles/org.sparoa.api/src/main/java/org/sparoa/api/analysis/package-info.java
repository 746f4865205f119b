/**
 * What the planning pipeline knows about a model before a policy places it: the calibration of its tensors
 * ({@link org.sparoa.api.analysis.Calibration}: shapes and activation sparsity measured on calibration runs) and the
 * operator analysis built from it ({@link org.sparoa.api.analysis.ModelAnalysis}: FLOPs, bytes, intensity, weight
 * and activation sparsity and quadrant of every operator). {@link org.sparoa.api.analysis.ModelAnalyzer} is the
 * analyzer's service.
 */
@Export
@Version("1.0.0")
package org.sparoa.api.analysis;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
