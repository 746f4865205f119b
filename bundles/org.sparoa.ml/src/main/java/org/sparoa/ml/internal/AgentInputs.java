package org.sparoa.ml.internal;

import java.util.List;

import org.sparoa.api.learn.AgentSpec;
import org.sparoa.api.learn.Transition;

/** Checks what callers hand an agent, throwing {@link IllegalArgumentException} that names what is wrong. */
final class AgentInputs {

    private AgentInputs() {
    }

    static void checkStates(float[][] states, AgentSpec spec, String what) {
        if (states == null || states.length == 0) {
            throw new IllegalArgumentException("no " + what + ": at least one state row is needed");
        }
        for (int i = 0; i < states.length; i++) {
            checkState(states[i], spec, what + " row " + i);
        }
    }

    static void checkMasks(boolean[][] masks, int rows, AgentSpec spec) {
        if (masks == null || masks.length != rows) {
            throw new IllegalArgumentException("masks: " + (masks == null ? "none" : masks.length + " rows")
                    + " for " + rows + " states; one mask per state is needed");
        }
        for (int i = 0; i < masks.length; i++) {
            checkMask(masks[i], spec, "mask row " + i, true);
        }
    }

    static void checkBatch(List<?> batch, AgentSpec spec) {
        if (batch == null || batch.isEmpty()) {
            throw new IllegalArgumentException("the update batch is empty: at least one transition is needed");
        }
        for (int i = 0; i < batch.size(); i++) {
            if (!(batch.get(i) instanceof Transition t)) {
                throw new IllegalArgumentException("transition " + i + " of the batch is null");
            }
            checkState(t.state(), spec, "transition " + i + " state");
            checkMask(t.mask(), spec, "transition " + i + " mask", true);
            checkState(t.nextState(), spec, "transition " + i + " next state");
            // an episode's last state may allow nothing: its values are not used
            checkMask(t.nextMask(), spec, "transition " + i + " next mask", !t.done());
        }
    }

    private static void checkState(float[] state, AgentSpec spec, String what) {
        if (state == null || state.length != spec.stateSize()) {
            throw new IllegalArgumentException(what + " has " + (state == null ? "no" : state.length)
                    + " values, the agent takes " + spec.stateSize());
        }
        for (int k = 0; k < state.length; k++) {
            if (!Float.isFinite(state[k])) {
                throw new IllegalArgumentException(what + " holds a non-finite value " + state[k] + " at " + k);
            }
        }
    }

    private static void checkMask(boolean[] mask, AgentSpec spec, String what, boolean needsAnAction) {
        if (mask == null || mask.length != spec.actions()) {
            throw new IllegalArgumentException(what + " has " + (mask == null ? "no" : mask.length)
                    + " entries, the agent has " + spec.actions() + " actions");
        }
        if (needsAnAction && allowed(mask) == 0) {
            throw new IllegalArgumentException(what + " allows no action");
        }
    }

    static int allowed(boolean[] mask) {
        int n = 0;
        for (boolean b : mask) {
            n += b ? 1 : 0;
        }
        return n;
    }
}
