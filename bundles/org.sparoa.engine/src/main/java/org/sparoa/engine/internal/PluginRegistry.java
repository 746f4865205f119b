package org.sparoa.engine.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The live services of one plugin kind (backends or policies), keyed by their id/name property. Several services
 * with one key: the best ranked wins and the others wait behind it. Removal callbacks run outside any lock.
 */
final class PluginRegistry<T> {
    private final Map<String, List<Ranked<T>>> byKey = new ConcurrentHashMap<>();
    private final List<Consumer<Ranked<T>>> removalListeners = new CopyOnWriteArrayList<>();
    /** Every key ever registered: a plugin that is away (stopped, being updated) is told apart from a typo. */
    private final java.util.Set<String> everRegistered = ConcurrentHashMap.newKeySet();
    /** What every request reads, computed once per change instead of once per request. */
    private volatile Snapshot<T> snapshot = new Snapshot<>(List.of(), "");

    /** The live services, best ranked first, and a key that identifies exactly this set (keys and service ids). */
    record Snapshot<T>(List<Ranked<T>> live, String key) {
    }

    void add(Ranked<T> entry) {
        everRegistered.add(entry.key());
        byKey.compute(entry.key(), (k, list) -> {
            List<Ranked<T>> l = list == null ? new ArrayList<>() : new ArrayList<>(list);
            l.add(entry);
            l.sort(Ranked.order());
            return List.copyOf(l);
        });
        refresh();
    }

    /** Removes exactly this service instance (not another one registered under the same key). */
    void remove(String key, T service) {
        Ranked<T>[] removed = newRemovedHolder();
        byKey.computeIfPresent(key, (k, list) -> {
            List<Ranked<T>> l = new ArrayList<>();
            for (Ranked<T> r : list) {
                if (r.service() == service) {
                    removed[0] = r;
                } else {
                    l.add(r);
                }
            }
            return l.isEmpty() ? null : List.copyOf(l);
        });
        refresh();
        if (removed[0] != null) {
            removalListeners.forEach(listener -> listener.accept(removed[0]));
        }
    }

    /** The key under which this service instance is registered, if it is. */
    Optional<String> keyOf(T service) {
        for (Map.Entry<String, List<Ranked<T>>> e : byKey.entrySet()) {
            if (e.getValue().stream().anyMatch(r -> r.service() == service)) {
                return Optional.of(e.getKey());
            }
        }
        return Optional.empty();
    }

    /** Swaps the entry of exactly this service instance for {@code entry}; false when it is not registered. */
    boolean replace(String key, T service, Ranked<T> entry) {
        boolean[] replaced = {false};
        byKey.computeIfPresent(key, (k, list) -> {
            List<Ranked<T>> l = new ArrayList<>();
            for (Ranked<T> r : list) {
                if (r.service() == service) {
                    l.add(entry);
                    replaced[0] = true;
                } else {
                    l.add(r);
                }
            }
            l.sort(Ranked.order());
            return List.copyOf(l);
        });
        refresh();
        return replaced[0];
    }

    @SuppressWarnings("unchecked")
    private Ranked<T>[] newRemovedHolder() {
        return new Ranked[1];
    }

    Optional<Ranked<T>> get(String key) {
        List<Ranked<T>> l = byKey.get(key);
        return l == null || l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    /** The winning service of every key, best ranked first. */
    List<Ranked<T>> live() {
        return snapshot.live();
    }

    /** {@link #live()} together with its key, read at one instant. */
    Snapshot<T> snapshot() {
        return snapshot;
    }

    /** Any refresh that starts after a change sees it, so the last one to finish leaves the snapshot current. */
    private synchronized void refresh() {
        List<Ranked<T>> out = new ArrayList<>();
        byKey.values().forEach(l -> out.add(l.get(0)));
        out.sort(Ranked.order());
        String key = out.stream().map(r -> r.key() + "@" + r.serviceId()).collect(Collectors.joining(","));
        snapshot = new Snapshot<>(List.copyOf(out), key);
    }

    /** Whether a service was ever registered under {@code key} (it may be away now). */
    boolean wasRegistered(String key) {
        return everRegistered.contains(key);
    }

    boolean isLive(String key, T service) {
        List<Ranked<T>> l = byKey.get(key); // on every request: no Optional, no lambda
        return l != null && !l.isEmpty() && l.get(0).service() == service;
    }

    void onRemoval(Consumer<Ranked<T>> listener) {
        removalListeners.add(listener);
    }
}
