package org.sparoa.api.learn;

import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/** Makes soft actor-critic agents (a service of the bundle that holds the numerical library). */
@ProviderType
public interface SoftActorCritics {

    /** A new agent with seeded random weights. */
    SoftActorCritic create(AgentSpec spec, long seed);

    /**
     * An agent with these weights (as {@link SoftActorCritic#weights()} gave them, the temperature included).
     * Throws {@link IllegalArgumentException} naming the array that is missing or has the wrong size.
     */
    SoftActorCritic restore(AgentSpec spec, Map<String, float[]> weights, long seed);

    /** The numerical backend and its thread count, for logs and shell output. */
    String describe();
}
