package org.sparoa.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.sparoa.api.learn.AgentSpec;
import org.sparoa.api.learn.SoftActorCritic;
import org.sparoa.api.learn.SoftActorCritics;
import org.sparoa.api.learn.Transition;

/** The agent learns a placement whose optimum is known (seeded throughout, so the run is the same every time). */
class SoftActorCriticLearningTest {
    private static final int BATCH = 64;
    private static final int EPISODES = 200;

    private final SoftActorCritics agents = Networks.agentsOutsideOsgi(1);

    @Test
    void greedyPolicyFindsTheExhaustiveOptimumOfASmallPlacement() {
        PlacementChain chain = new PlacementChain(8, 3, 3, 11);
        double optimum = chain.exhaustiveOptimum();
        double random = chain.randomPolicyMeanCost(4000, new Random(3));
        AgentSpec spec = new AgentSpec(chain.stateSize(), chain.devices, 64, 2, 1e-3, 1.0, 0.01, 0.3);
        try (SoftActorCritic agent = agents.create(spec, 1)) {
            double before = greedyCost(agent, chain);
            Random rng = new Random(5);
            List<Transition> replay = new ArrayList<>();
            int updates = 0;
            for (int episode = 0; episode < EPISODES; episode++) {
                int prev = -1;
                for (int i = 0; i < chain.operators; i++) {
                    float[] s = chain.state(i, prev);
                    boolean[] m = chain.mask(i);
                    int a = sample(agent.policy(new float[][] {s}, new boolean[][] {m})[0], rng);
                    double reward = -chain.stepCost(i, prev, a) / PlacementChain.REWARD_SCALE;
                    replay.add(new Transition(s, m, a, reward, chain.state(i + 1, a), chain.mask(i + 1),
                            i == chain.operators - 1));
                    prev = a;
                    if (replay.size() >= BATCH) {
                        agent.update(sampleBatch(replay, rng));
                        updates++;
                    }
                }
            }
            double after = greedyCost(agent, chain);
            System.out.printf("placement: optimum %.1f (second best %.1f), random policy %.2f, greedy before %.1f,"
                    + " after %d updates %.1f%n", optimum, chain.exhaustiveSecondBest(), random, before, updates,
                    after);
            assertTrue(before > optimum, "the untrained policy should not already be optimal: " + before);
            assertEquals(optimum, after, 1e-9, "greedy policy's cost after training");
            assertTrue(after < random, "greedy " + after + " should beat the random policy's mean " + random);
        }
    }

    static List<Transition> sampleBatch(List<Transition> replay, Random rng) {
        List<Transition> batch = new ArrayList<>(BATCH);
        for (int k = 0; k < BATCH; k++) {
            batch.add(replay.get(rng.nextInt(replay.size())));
        }
        return batch;
    }

    static int sample(float[] probs, Random rng) {
        double u = rng.nextDouble();
        double acc = 0;
        int last = -1;
        for (int a = 0; a < probs.length; a++) {
            if (probs[a] > 0) {
                acc += probs[a];
                last = a;
                if (u < acc) {
                    return a;
                }
            }
        }
        return last;
    }

    static int argmax(float[] probs) {
        int best = 0;
        for (int a = 1; a < probs.length; a++) {
            if (probs[a] > probs[best]) {
                best = a;
            }
        }
        return best;
    }

    /** The cost of the episode in which the agent always takes its most probable action. */
    static double greedyCost(SoftActorCritic agent, PlacementChain chain) {
        int[] placement = new int[chain.operators];
        int prev = -1;
        for (int i = 0; i < chain.operators; i++) {
            placement[i] = argmax(agent.policy(new float[][] {chain.state(i, prev)},
                    new boolean[][] {chain.mask(i)})[0]);
            prev = placement[i];
        }
        return chain.cost(placement);
    }
}
