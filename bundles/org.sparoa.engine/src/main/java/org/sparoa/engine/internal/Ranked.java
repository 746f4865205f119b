package org.sparoa.engine.internal;

import java.util.Comparator;

/** A plugin service with its ranking and service id, ordered by ranking (high first), then id. */
record Ranked<T>(String key, T service, int ranking, long serviceId, java.util.Map<String, ?> properties) {

    Ranked(String key, T service, int ranking, long serviceId) {
        this(key, service, ranking, serviceId, java.util.Map.of());
    }

    boolean flag(String property) {
        Object v = properties.get(property);
        return v instanceof Boolean b ? b : v != null && Boolean.parseBoolean(v.toString());
    }

    static <T> Comparator<Ranked<T>> order() {
        return Comparator.<Ranked<T>>comparingInt(r -> -r.ranking()).thenComparing(Ranked::key)
                .thenComparingLong(Ranked::serviceId);
    }

    static int ranking(java.util.Map<String, ?> props) {
        Object r = props.get("service.ranking");
        return r instanceof Integer i ? i : 0;
    }

    static long serviceId(java.util.Map<String, ?> props) {
        Object id = props.get("service.id");
        return id instanceof Long l ? l : 0L;
    }
}
