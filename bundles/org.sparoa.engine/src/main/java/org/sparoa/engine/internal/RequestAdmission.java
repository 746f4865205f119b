package org.sparoa.engine.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.sparoa.api.Model;
import org.sparoa.api.ResourceLimitException;

/** Counts the requests of each model running at once and refuses one over the limit (a refusal, not a queue). */
final class RequestAdmission {
    private final Map<String, AtomicInteger> running = new ConcurrentHashMap<>();

    void acquire(Model model, int limit) {
        AtomicInteger n = running.computeIfAbsent(model.id(), k -> new AtomicInteger());
        int now = n.incrementAndGet();
        if (now > limit) {
            n.decrementAndGet();
            throw new ResourceLimitException("model " + model.id() + " already runs " + limit + " request(s), its"
                    + " limit (configuration org.sparoa.engine maxConcurrentRequestsPerModel); try again later");
        }
    }

    void release(Model model) {
        AtomicInteger n = running.get(model.id());
        if (n != null) {
            n.decrementAndGet();
        }
    }

    int running(String modelId) {
        AtomicInteger n = running.get(modelId);
        return n == null ? 0 : n.get();
    }
}
