package org.sparoa.policy.sac.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.sparoa.api.learn.SoftActorCritic;
import org.sparoa.api.learn.SoftActorCritics;
import org.sparoa.ml.Networks;

/** The actor in plain Java answers what the agent answers, on the shipped default and on fresh random weights. */
class PlainActorTest {
    private static final SoftActorCritics AGENTS = Networks.agentsOutsideOsgi(1);

    @Test
    void agreesWithTheAgentOnTheShippedDefaultAndOnAFreshAgent() throws IOException {
        SacWeights shipped = WeightsStore.shippedDefault();
        check(shipped.spec(), AGENTS.restore(shipped.spec(), shipped.weights(), 0));
        var spec = SacTrainer.Settings.of(1, 5, 1000).agentSpec();
        check(spec, AGENTS.create(spec, 5));
    }

    private static void check(org.sparoa.api.learn.AgentSpec spec, SoftActorCritic agent) {
        try (agent) {
            Map<String, float[]> weights = agent.weights();
            PlainActor plain = PlainActor.of(spec, weights).orElseThrow(
                    () -> new AssertionError("the agent's arrays are not in the form PlainActor reads: "
                            + weights.keySet()));
            Random random = new Random(3);
            for (int trial = 0; trial < 200; trial++) {
                float[] state = new float[spec.stateSize()];
                for (int i = 0; i < state.length; i++) {
                    state[i] = random.nextInt(4) == 0 ? 0 : (float) random.nextGaussian();
                }
                boolean[] mask = new boolean[spec.actions()];
                mask[random.nextInt(mask.length)] = true;
                for (int a = 0; a < mask.length; a++) {
                    mask[a] |= random.nextBoolean();
                }
                float[] expected = agent.policy(new float[][] {state}, new boolean[][] {mask})[0];
                float[] actual = plain.probabilities(state, mask);
                assertArrayEquals(expected, actual, 1e-5f, "trial " + trial);
                assertTrue(GreedyRollout.argmax(expected, mask) == GreedyRollout.argmax(actual, mask)
                        || Math.abs(expected[GreedyRollout.argmax(expected, mask)]
                        - expected[GreedyRollout.argmax(actual, mask)]) < 1e-5, "same choice, trial " + trial);
            }
        }
    }

    @Test
    void arraysInAnotherFormAreNotRead() {
        var spec = SacTrainer.Settings.of(1, 5, 1000).agentSpec();
        assertTrue(PlainActor.of(spec, Map.of("actor/w0", new float[] {1})).isEmpty());
    }
}
