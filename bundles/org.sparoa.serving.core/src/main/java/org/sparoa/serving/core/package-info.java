/**
 * What both KServe v2 endpoints (HTTP and gRPC) share below their wire formats: {@link
 * org.sparoa.serving.core.KserveTypes datatype names}, the {@link org.sparoa.serving.core.InputChecks checks of every
 * input}, the {@link org.sparoa.serving.core.ModelRepository repository extension} over the model registry and the
 * {@link org.sparoa.serving.core.RequestMetrics request metrics} both report to. Errors are the platform's own
 * ({@code InvalidInputException}, {@code UnknownModelException}, {@code SparoaException}); each endpoint maps them to
 * its status codes.
 */
@Export
@Version("1.0.0")
package org.sparoa.serving.core;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
