package org.sparoa.analyzer.internal;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.sparoa.api.analysis.ModelAnalysis;

/**
 * Analyses by calibration key, least recently used evicted first, and the latest analysis of each model content.
 * Analyses are immutable, so they are shared as they are.
 */
final class AnalysisCache {
    private final LinkedHashMap<CalibrationKey, ModelAnalysis> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, ModelAnalysis> latestBySha = new HashMap<>();
    private int capacity;

    AnalysisCache(int capacity) {
        setCapacity(capacity);
    }

    synchronized void setCapacity(int newCapacity) {
        if (newCapacity < 1) {
            throw new IllegalArgumentException("cacheSize must be at least 1, got " + newCapacity);
        }
        this.capacity = newCapacity;
        trim();
    }

    synchronized Optional<ModelAnalysis> get(CalibrationKey key) {
        return Optional.ofNullable(entries.get(key));
    }

    synchronized Optional<ModelAnalysis> latest(String sha256) {
        return Optional.ofNullable(latestBySha.get(sha256));
    }

    synchronized void put(CalibrationKey key, ModelAnalysis analysis) {
        entries.put(key, analysis);
        latestBySha.put(key.modelSha256(), analysis);
        trim();
    }

    /** Records the latest analysis of a model content made outside the keyed cache (the planning pipeline's). */
    synchronized void putLatest(String sha256, ModelAnalysis analysis) {
        latestBySha.put(sha256, analysis);
    }

    synchronized int size() {
        return entries.size();
    }

    private void trim() {
        Iterator<Map.Entry<CalibrationKey, ModelAnalysis>> it = entries.entrySet().iterator();
        while (entries.size() > capacity && it.hasNext()) {
            Map.Entry<CalibrationKey, ModelAnalysis> eldest = it.next();
            it.remove();
            latestBySha.remove(eldest.getKey().modelSha256(), eldest.getValue());
        }
    }
}
