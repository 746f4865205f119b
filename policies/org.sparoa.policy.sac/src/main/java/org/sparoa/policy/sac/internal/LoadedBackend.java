package org.sparoa.policy.sac.internal;

import java.util.OptionalDouble;

import org.sparoa.api.BackendView;
import org.sparoa.api.DeviceKind;
import org.sparoa.api.DeviceState;
import org.sparoa.api.Node;

/**
 * A backend as it looks while another application loads it by {@code factor}: its live state shows the matching
 * utilisation (at least {@code 1 - 1/factor}, where known), queue depth ({@code factor - 1}, rounded) and recent
 * slowdown ({@code factor}); everything else is the inner view's.
 */
record LoadedBackend(BackendView inner, double factor) implements BackendView {

    LoadedBackend {
        if (!(factor >= 1) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("load factor of backend " + inner.id() + " must be >= 1, got " + factor);
        }
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
    public DeviceState state() {
        DeviceState s = inner.state();
        double utilisation = s.utilisation() < 0 ? s.utilisation() : Math.max(s.utilisation(), 1 - 1 / factor);
        return new DeviceState(s.available(), utilisation, s.queueDepth() + (int) Math.round(factor - 1),
                s.freeMemoryBytes(), s.powerWatts(), s.temperatureCelsius(), "simulated load x" + factor, factor);
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
