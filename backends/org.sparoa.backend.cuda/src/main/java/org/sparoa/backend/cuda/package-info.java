/**
 * The CUDA GPU backend ({@code cuda-gpu}): our own dense and CSR-sparse kernels (PTX compiled from
 * {@code src/main/cuda/sparoa_kernels.cu}) launched through the CUDA driver API, by JCuda on x86-64 and by JNA over
 * {@code libcuda.so.1} on Jetson. Everything lives in {@code .internal}; the bundle only registers a
 * {@link org.sparoa.api.DeviceBackend} service, and only where a driver and a device are present.
 */
package org.sparoa.backend.cuda;
