/**
 * A small Java client of the KServe v2 HTTP protocol (JSON and binary tensor data), for tests, benchmarks and
 * applications; it talks to any KServe v2 / Triton server.
 */
@Export
@Version("1.0.0")
package org.sparoa.serving.client;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
