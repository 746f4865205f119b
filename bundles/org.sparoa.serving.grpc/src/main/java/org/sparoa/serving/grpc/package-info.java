/**
 * The KServe v2 / Triton gRPC endpoint as a service: where it listens.
 */
@Export
@Version("1.0.0")
package org.sparoa.serving.grpc;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
