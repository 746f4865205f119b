package org.sparoa.api.predict;

import java.util.Objects;

/**
 * The two backends a threshold separates: {@code sparse} takes sparse and light operators (at or above the
 * sparsity threshold and below the intensity threshold), {@code dense} the others.
 */
public record BackendPair(DeviceDescriptor sparse, DeviceDescriptor dense) {

    public BackendPair {
        Objects.requireNonNull(sparse, "sparse");
        Objects.requireNonNull(dense, "dense");
    }

    /** {@code sparse-cpu/ort-cpu}. */
    public String id() {
        return sparse.backendId() + "/" + dense.backendId();
    }
}
