/**
 * The plain ONNX Runtime baseline ({@link org.sparoa.backend.ort.PlainOrtSession}): a whole model in one session
 * with the same options as the {@code ort-cpu} backend, the reference SparOA's results and timings are compared with.
 */
@Export
@Version("1.0.0")
package org.sparoa.backend.ort;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
