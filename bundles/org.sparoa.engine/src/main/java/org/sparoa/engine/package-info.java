/**
 * The engine's public helpers for plain-Java use (tools, benchmarks, tests): {@link org.sparoa.engine.LocalPlatform}
 * wires a model registry and an inference service over given backends without OSGi; {@link
 * org.sparoa.engine.ResourceLimits} are the limits the engine enforces.
 */
@Export
@Version("2.1.0")
package org.sparoa.engine;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
