package org.sparoa.engine.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.sparoa.api.SparoaException;

/**
 * Compiled plans by {@link PlanKey}: schedule and compile once, run many times. Concurrent requests for a missing
 * key wait for one build. Plans that leave the cache are retired (closed once their last run ends).
 */
final class PlanCache {
    private final Map<PlanKey, CompletableFuture<ExecutionPlan>> plans = new LinkedHashMap<>(16, 0.75f, true);
    private volatile int capacity;

    PlanCache(int capacity) {
        this.capacity = Math.max(1, capacity);
    }

    void setCapacity(int capacity) {
        this.capacity = Math.max(1, capacity);
    }

    ExecutionPlan getOrBuild(PlanKey key, Supplier<ExecutionPlan> builder) {
        CompletableFuture<ExecutionPlan> future;
        boolean mine = false;
        List<CompletableFuture<ExecutionPlan>> evicted = new ArrayList<>();
        synchronized (plans) {
            future = plans.get(key);
            if (future == null) {
                future = new CompletableFuture<>();
                mine = true;
                // a reloaded model makes the plans of its previous instance useless
                removeWhere(k -> k.model() != key.model() && k.model().id().equals(key.model().id()), evicted);
                plans.put(key, future);
                // through the entries: get() on an access-ordered map reorders it under the iterator
                Iterator<Map.Entry<PlanKey, CompletableFuture<ExecutionPlan>>> it = plans.entrySet().iterator();
                while (plans.size() > capacity && it.hasNext()) {
                    Map.Entry<PlanKey, CompletableFuture<ExecutionPlan>> oldest = it.next();
                    if (oldest.getKey() != key) {
                        evicted.add(oldest.getValue());
                        it.remove();
                    }
                }
            }
        }
        evicted.forEach(PlanCache::retire);
        if (mine) {
            try {
                future.complete(builder.get());
            } catch (RuntimeException | Error e) {
                synchronized (plans) {
                    plans.remove(key, future);
                }
                future.completeExceptionally(e);
            }
        }
        try {
            return future.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new SparoaException(e.getCause().toString(), e.getCause());
        }
    }

    /** Removes and retires every plan the predicate selects. */
    void evict(Predicate<ExecutionPlan> which) {
        List<CompletableFuture<ExecutionPlan>> evicted = new ArrayList<>();
        synchronized (plans) {
            Iterator<Map.Entry<PlanKey, CompletableFuture<ExecutionPlan>>> it = plans.entrySet().iterator();
            while (it.hasNext()) {
                CompletableFuture<ExecutionPlan> f = it.next().getValue();
                if (f.isDone() && !f.isCompletedExceptionally() && which.test(f.join())) {
                    evicted.add(f);
                    it.remove();
                }
            }
        }
        evicted.forEach(PlanCache::retire);
    }

    void evictKeys(Predicate<PlanKey> which) {
        List<CompletableFuture<ExecutionPlan>> evicted = new ArrayList<>();
        synchronized (plans) {
            removeWhere(which, evicted);
        }
        evicted.forEach(PlanCache::retire);
    }

    int size() {
        synchronized (plans) {
            return plans.size();
        }
    }

    private void removeWhere(Predicate<PlanKey> which, List<CompletableFuture<ExecutionPlan>> evicted) {
        Iterator<Map.Entry<PlanKey, CompletableFuture<ExecutionPlan>>> it = plans.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<PlanKey, CompletableFuture<ExecutionPlan>> e = it.next();
            if (which.test(e.getKey())) {
                evicted.add(e.getValue());
                it.remove();
            }
        }
    }

    private static void retire(CompletableFuture<ExecutionPlan> f) {
        f.thenAccept(ExecutionPlan::retire);
    }
}
