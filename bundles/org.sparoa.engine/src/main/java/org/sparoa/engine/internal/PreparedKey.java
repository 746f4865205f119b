package org.sparoa.engine.internal;

import org.sparoa.api.Model;

/**
 * A model instance (by identity: a reloaded model is another), its input shapes and the live backend set: the key of
 * what the planning pipeline prepares once and reuses (calibration and analysis, whole-model cost factors).
 */
record PreparedKey(Model model, String shapes, String backendSet) {
    @Override
    public boolean equals(Object o) {
        return o instanceof PreparedKey k && model == k.model && shapes.equals(k.shapes)
                && backendSet.equals(k.backendSet);
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(model) * 31 + shapes.hashCode() * 7 + backendSet.hashCode();
    }
}
