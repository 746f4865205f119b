package org.sparoa.api;

import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * A cost model that answers every question with another's answer: a base for cost models that change one or two of
 * them (a backend under load, costs calibrated on the whole model) and pass the rest through.
 *
 * @since 1.11
 */
public abstract class ForwardingCostModel implements CostModel {
    private final CostModel inner;

    protected ForwardingCostModel(CostModel inner) {
        this.inner = java.util.Objects.requireNonNull(inner, "inner");
    }

    /** The cost model this one passes questions to. */
    protected final CostModel inner() {
        return inner;
    }

    @Override
    public OptionalDouble operatorMillis(String backendId, Node node) {
        return inner.operatorMillis(backendId, node);
    }

    @Override
    public double segmentMillis(String backendId) {
        return inner.segmentMillis(backendId);
    }

    @Override
    public double transferMillis(String fromBackendId, String toBackendId, String tensorName) {
        return inner.transferMillis(fromBackendId, toBackendId, tensorName);
    }

    @Override
    public OptionalLong tensorBytes(String tensorName) {
        return inner.tensorBytes(tensorName);
    }
}
