package org.sparoa.api.learn;

import java.util.List;
import java.util.Map;

/**
 * A discrete soft actor-critic agent (twin critics with soft-updated targets, a softmax actor over the allowed
 * actions, automatic entropy tuning). Not thread-safe: one caller at a time (implementations serialise calls).
 */
public interface SoftActorCritic extends AutoCloseable {

    AgentSpec spec();

    /**
     * The actor's action probabilities, one row per state; an action not allowed ({@code masks[i][a]} false) gets
     * exactly 0. Throws {@link IllegalArgumentException} naming a state or mask of the wrong size, or a state that
     * allows no action.
     */
    float[][] policy(float[][] states, boolean[][] masks);

    /** The smaller of the twin critics' action values, one row per state (for explanations; masks not applied). */
    float[][] values(float[][] states);

    /** One gradient step of the critics, the actor and the temperature on this batch, then the soft target update. */
    UpdateStats update(List<Transition> batch);

    double temperature();

    /** Every trainable array by name, flattened row-major: what {@link SoftActorCritics#restore} takes back. */
    Map<String, float[]> weights();

    long parameterCount();

    @Override
    void close();
}
