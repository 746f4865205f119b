package org.sparoa.policy.sac.internal;

import org.sparoa.api.learn.SoftActorCritic;

/** The action probabilities of one state (0 where the mask forbids an action). */
interface Actor {

    float[] probabilities(float[] state, boolean[] mask);

    /** The agent's own actor: one call of the agent per state. */
    static Actor of(SoftActorCritic agent) {
        return (state, mask) -> agent.policy(new float[][] {state}, new boolean[][] {mask})[0];
    }
}
