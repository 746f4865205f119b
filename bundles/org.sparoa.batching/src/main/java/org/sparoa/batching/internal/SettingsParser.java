package org.sparoa.batching.internal;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import org.sparoa.batching.BatchMode;
import org.sparoa.batching.BatchSettings;

/**
 * Per-model settings from the configuration's flat keys {@code model.<id>.<setting>} (a model id may contain dots:
 * the setting is the last part), over the defaults.
 */
final class SettingsParser {
    static final String PREFIX = "model.";
    static final String MODE = "mode";
    static final String MAX_BATCH = "maxBatchSize";
    static final String MAX_DELAY = "maxQueueDelayMicros";
    static final String SLO = "sloMillis";
    static final String CAPACITY = "queueCapacity";
    static final String CONCURRENCY = "concurrency";
    static final String SHED_LATE = "shedLate";

    private SettingsParser() {
    }

    static Map<String, BatchSettings> perModel(Map<String, ?> properties, BatchSettings defaults) {
        Map<String, BatchSettings> out = new HashMap<>();
        for (Map.Entry<String, ?> e : properties.entrySet()) {
            String key = e.getKey();
            int dot = key.lastIndexOf('.');
            if (!key.startsWith(PREFIX) || dot <= PREFIX.length()) {
                continue;
            }
            String model = key.substring(PREFIX.length(), dot);
            String setting = key.substring(dot + 1);
            BatchSettings s = out.getOrDefault(model, defaults);
            out.put(model, apply(s, setting, String.valueOf(e.getValue()).trim(), key));
        }
        return out;
    }

    static BatchSettings apply(BatchSettings s, String setting, String value, String key) {
        try {
            return switch (setting) {
                case MODE -> s.withMode(BatchMode.parse(value));
                case MAX_BATCH -> s.withMaxBatch(Integer.parseInt(value));
                case MAX_DELAY -> s.withMaxDelayMicros(Long.parseLong(value));
                case SLO -> s.withSloMillis(Double.parseDouble(value));
                case CAPACITY -> s.withQueueCapacity(Integer.parseInt(value));
                case CONCURRENCY -> s.withConcurrency(Integer.parseInt(value));
                case SHED_LATE -> s.withShedLate(parseBoolean(value));
                default -> throw new IllegalArgumentException("unknown setting '" + setting + "'; use " + MODE + ", "
                        + MAX_BATCH + ", " + MAX_DELAY + ", " + SLO + ", " + CAPACITY + ", " + CONCURRENCY + " or "
                        + SHED_LATE);
            };
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("batching setting " + key + " = '" + value + "': " + ex.getMessage(), ex);
        }
    }

    private static boolean parseBoolean(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("expected true or false");
        };
    }
}
