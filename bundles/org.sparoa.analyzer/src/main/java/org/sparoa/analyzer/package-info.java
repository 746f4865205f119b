/**
 * The operator analyzer: for every operator of a model its FLOPs, bytes moved, computational intensity,
 * weight sparsity and activation sparsity measured on calibration runs, and its quadrant against a
 * (sparsity, intensity) threshold pair. {@link org.sparoa.api.analysis.ModelAnalyzer} is the service;
 * {@link org.sparoa.analyzer.AnalysisReports} writes an analysis as JSON or as the quadrant plot (SVG).
 */
@Export
@Version("2.0.0")
package org.sparoa.analyzer;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
