package org.sparoa.api.learn;

import java.util.Objects;

/**
 * One step an agent took: the state and the actions allowed there ({@code mask[a]} true where action {@code a} may be
 * taken), the action taken, the reward received, and the next state with its allowed actions ({@code done} when the
 * episode ended there; the next state is then ignored but must still have the state's size).
 */
public record Transition(float[] state, boolean[] mask, int action, double reward, float[] nextState,
                         boolean[] nextMask, boolean done) {

    public Transition {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(mask, "mask");
        Objects.requireNonNull(nextState, "nextState");
        Objects.requireNonNull(nextMask, "nextMask");
        if (action < 0 || action >= mask.length || !mask[action]) {
            throw new IllegalArgumentException("action " + action + " is not among the allowed actions of its state");
        }
        if (!Double.isFinite(reward)) {
            throw new IllegalArgumentException("reward must be finite, got " + reward);
        }
    }
}
