package org.sparoa.policy.sac.internal;

import java.util.Map;
import java.util.OptionalDouble;

import org.sparoa.api.CostModel;
import org.sparoa.api.ForwardingCostModel;
import org.sparoa.api.Node;

/**
 * A cost model whose operator and per-segment costs on some backends are multiplied by a factor (a backend slowed
 * by another application's load, or measured slower than estimated), and whose per-segment cost on every backend may
 * grow by a fixed amount (the engine's measured work per segment); hand-overs and tensor sizes are the inner model's.
 */
final class ScaledBackendCosts extends ForwardingCostModel {
    private final Map<String, Double> factors;
    private final double extraSegmentMillis;

    ScaledBackendCosts(CostModel inner, Map<String, Double> factors) {
        this(inner, factors, 0);
    }

    ScaledBackendCosts(CostModel inner, Map<String, Double> factors, double extraSegmentMillis) {
        super(inner);
        if (!(extraSegmentMillis >= 0) || Double.isInfinite(extraSegmentMillis)) {
            throw new IllegalArgumentException("extra per-segment time must be finite and >= 0, got "
                    + extraSegmentMillis);
        }
        this.extraSegmentMillis = extraSegmentMillis;
        factors.forEach((id, f) -> {
            if (!(f > 0) || Double.isInfinite(f)) {
                throw new IllegalArgumentException("load factor of backend " + id + " must be positive, got " + f);
            }
        });
        this.factors = Map.copyOf(factors);
    }

    private double factor(String backendId) {
        return factors.getOrDefault(backendId, 1.0);
    }

    @Override
    public OptionalDouble operatorMillis(String backendId, Node node) {
        OptionalDouble ms = inner().operatorMillis(backendId, node);
        return ms.isPresent() ? OptionalDouble.of(ms.getAsDouble() * factor(backendId)) : ms;
    }

    @Override
    public double segmentMillis(String backendId) {
        return inner().segmentMillis(backendId) * factor(backendId) + extraSegmentMillis;
    }
}
