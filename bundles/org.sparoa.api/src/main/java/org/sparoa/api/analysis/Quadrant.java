package org.sparoa.api.analysis;

/**
 * Where an operator falls on the (sparsity, intensity) plane. SparOA's rule of thumb: sparse and light operators
 * belong on the CPU (sparse kernels skip the zeros), dense and intense ones on the GPU; the two mixed quadrants
 * are where a learned policy pays.
 */
public enum Quadrant {
    SPARSE_LIGHT("sparse, low intensity"),
    SPARSE_INTENSE("sparse, high intensity"),
    DENSE_LIGHT("dense, low intensity"),
    DENSE_INTENSE("dense, high intensity"),
    /** The operator's intensity (its FLOPs or bytes) or its sparsity (no weights, no measured activation input) is unknown. */
    UNKNOWN("unknown");

    private final String description;

    Quadrant(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
