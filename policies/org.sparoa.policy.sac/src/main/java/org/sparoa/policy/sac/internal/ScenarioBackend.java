package org.sparoa.policy.sac.internal;

import java.util.OptionalDouble;

import org.sparoa.api.BackendView;
import org.sparoa.api.DeviceKind;
import org.sparoa.api.DeviceState;
import org.sparoa.api.Node;

/**
 * A backend as a training scenario shows it: the inner view's id, kind and operators, with a live state set by the
 * scenario (labelled simulated in its detail) instead of what the backend says now.
 */
record ScenarioBackend(BackendView inner, DeviceState state) implements BackendView {

    /**
     * Idle: nothing queued, 10 % utilisation, and the recent slowdown {@code slowdown} (1 = as fast as ever, NaN =
     * unknown, as after a few seconds without runs).
     */
    static ScenarioBackend idle(BackendView inner, double slowdown) {
        return new ScenarioBackend(inner, new DeviceState(true, 0.1, 0, -1, Double.NaN, Double.NaN,
                "simulated idle", slowdown));
    }

    /**
     * Loaded by another application so that it runs {@code factor} times slower: utilisation {@code 1 - 1/factor}
     * (at least 10 %), {@code factor - 1} requests queued (rounded), recent slowdown {@code factor}.
     */
    static ScenarioBackend loaded(BackendView inner, double factor) {
        if (!(factor >= 1) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("load factor of backend " + inner.id() + " must be >= 1, got " + factor);
        }
        return new ScenarioBackend(inner, new DeviceState(true, Math.max(0.1, 1 - 1 / factor),
                (int) Math.round(factor - 1), -1, Double.NaN, Double.NaN, "simulated load x" + factor, factor));
    }

    @Override
    public String id() {
        return inner.id();
    }

    @Override
    public DeviceKind kind() {
        return inner.kind();
    }

    @Override
    public int ranking() {
        return inner.ranking();
    }

    @Override
    public boolean supports(Node node) {
        return inner.supports(node);
    }

    @Override
    public OptionalDouble estimateMillis(Node node) {
        return inner.estimateMillis(node);
    }
}
