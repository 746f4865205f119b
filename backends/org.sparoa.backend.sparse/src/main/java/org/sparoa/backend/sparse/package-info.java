/**
 * The sparse CPU backend ({@code sparse-cpu}): pure Java kernels that store Conv/Gemm/MatMul weights as CSR and
 * skip their zeros. Everything lives in {@code .internal}; the bundle only registers a
 * {@link org.sparoa.api.DeviceBackend} service.
 */
package org.sparoa.backend.sparse;
