package org.sparoa.engine.internal;

import java.util.List;

import org.sparoa.api.DeviceBackend;
import org.sparoa.api.DeviceState;

/**
 * The backends' live states quantised into classes, for the plans of policies that read them
 * ({@link org.sparoa.api.SchedulingPolicy#PROP_LIVE_STATE}): a plan is cached per class, so a backend whose queue
 * fills or that slows down gets the next request re-planned, while jitter inside a class keeps the cached plan.
 * Bounds are coarse on purpose: each class change costs a planning.
 */
final class LoadClasses {

    private LoadClasses() {
    }

    /** One class per live backend, in the snapshot's order, e.g. {@code "ort-cpu:q0/s1/u0,sparse-cpu:q2/s2/u1"}. */
    static String of(List<Ranked<DeviceBackend>> live) {
        StringBuilder key = new StringBuilder();
        for (Ranked<DeviceBackend> b : live) {
            DeviceState state;
            try {
                state = b.service().state();
            } catch (RuntimeException e) {
                state = null; // a backend that cannot say its state is planned as unavailable
            }
            key.append(key.length() == 0 ? "" : ",").append(b.key()).append(':').append(of(state));
        }
        return key.toString();
    }

    /** A state's class: {@code down}, or queue depth, slowdown and utilisation each as a small level. */
    static String of(DeviceState s) {
        if (s == null || !s.available()) {
            return "down";
        }
        return "q" + queueLevel(s.queueDepth()) + "/s" + slowdownLevel(s.recentSlowdown()) + "/u"
                + utilisationLevel(s.utilisation());
    }

    /** 0: idle; 1: one or two requests; 2: three or more. */
    static int queueLevel(int depth) {
        return depth <= 0 ? 0 : depth <= 2 ? 1 : 2;
    }

    /** 0: unknown or within 1.5x of its fastest; 1: up to 3x; 2: slower. */
    static int slowdownLevel(double slowdown) {
        return Double.isNaN(slowdown) || slowdown < 1.5 ? 0 : slowdown < 3 ? 1 : 2;
    }

    /** 0: unknown or under 60 %; 1: up to 90 %; 2: above. */
    static int utilisationLevel(double utilisation) {
        return utilisation < 0.6 ? 0 : utilisation < 0.9 ? 1 : 2;
    }
}
