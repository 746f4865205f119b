/**
 * A small Java client of the KServe v2 / Triton gRPC protocol that speaks the platform's {@code Tensor} type (grpc-java
 * stays inside this bundle); it talks to any server of that protocol. {@code main} is a command-line client.
 */
@Export
@Version("1.0.0")
package org.sparoa.serving.grpc.client;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
