package org.sparoa.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.sparoa.api.learn.AgentSpec;
import org.sparoa.api.learn.SoftActorCritic;
import org.sparoa.api.learn.SoftActorCritics;
import org.sparoa.api.learn.Transition;
import org.sparoa.api.learn.UpdateStats;

/** The agent's contract: masks, saved weights, input checks, temperature tuning; and its update time, printed. */
class SoftActorCriticAgentTest {
    private static final AgentSpec SPEC = new AgentSpec(5, 4, 16, 2, 3e-3, 0.9, 0.05, 0.5);
    private static final float[] BANDIT_STATE = {1, 0};

    private final SoftActorCritics agents = Networks.agentsOutsideOsgi(1);

    private static float[][] randomStates(Random r, int n, int size) {
        float[][] s = new float[n][size];
        for (float[] row : s) {
            for (int k = 0; k < size; k++) {
                row[k] = (float) r.nextGaussian();
            }
        }
        return s;
    }

    private static List<Transition> randomBatch(Random r, AgentSpec spec, int n) {
        List<Transition> batch = new ArrayList<>();
        float[][] states = randomStates(r, 2 * n, spec.stateSize());
        for (int i = 0; i < n; i++) {
            boolean[] mask = new boolean[spec.actions()];
            for (int a = 0; a < mask.length; a++) {
                mask[a] = a == 0 || r.nextBoolean();
            }
            int action;
            do {
                action = r.nextInt(mask.length);
            } while (!mask[action]);
            batch.add(new Transition(states[2 * i], mask, action, r.nextGaussian(), states[2 * i + 1], mask,
                    r.nextInt(4) == 0));
        }
        return batch;
    }

    /**
     * One state, three actions, each step the end of its episode: the batch's actions are drawn from the agent's
     * current policy, action {@code best} pays 1 and the others 0.
     */
    private static UpdateStats trainBandit(SoftActorCritic agent, boolean[] mask, int best, int updates, Random r) {
        UpdateStats last = null;
        for (int u = 0; u < updates; u++) {
            float[] p = agent.policy(new float[][] {BANDIT_STATE}, new boolean[][] {mask})[0];
            List<Transition> batch = new ArrayList<>();
            for (int k = 0; k < 32; k++) {
                int a = SoftActorCriticLearningTest.sample(p, r);
                batch.add(new Transition(BANDIT_STATE, mask, a, a == best ? 1 : 0, BANDIT_STATE, mask, true));
            }
            last = agent.update(batch);
        }
        return last;
    }

    private static double entropy(float[] p) {
        double h = 0;
        for (float v : p) {
            h -= v > 0 ? v * Math.log(v) : 0;
        }
        return h;
    }

    @Test
    void maskedActionsGetExactlyZeroAndAllowedOnesSumToOne() {
        Random r = new Random(2);
        try (SoftActorCritic agent = agents.create(SPEC, 3)) {
            agent.update(randomBatch(r, SPEC, 32));
            float[][] states = randomStates(r, 50, SPEC.stateSize());
            boolean[][] masks = new boolean[50][SPEC.actions()];
            for (int i = 0; i < masks.length; i++) {
                for (int a = 0; a < SPEC.actions(); a++) {
                    masks[i][a] = ((i + 1) >> a & 1) == 1 || a == i % SPEC.actions();
                }
            }
            float[][] p = agent.policy(states, masks);
            assertEquals(50, p.length);
            for (int i = 0; i < p.length; i++) {
                double sum = 0;
                for (int a = 0; a < SPEC.actions(); a++) {
                    if (masks[i][a]) {
                        assertTrue(p[i][a] > 0, "allowed action " + a + " of row " + i + " has probability " + p[i][a]);
                        sum += p[i][a];
                    } else {
                        assertEquals(0f, p[i][a], "masked action " + a + " of row " + i);
                    }
                }
                assertEquals(1.0, sum, 1e-5, "row " + i);
            }
        }
    }

    @Test
    void aMaskedActionIsNeverChosenEvenWhenItIsTheBest() {
        AgentSpec spec = new AgentSpec(2, 3, 16, 1, 1e-2, 0.9, 0.05, 0.2);
        Random r = new Random(4);
        try (SoftActorCritic agent = agents.create(spec, 5)) {
            boolean[] all = {true, true, true};
            trainBandit(agent, all, 2, 100, r);
            float[] free = agent.policy(new float[][] {BANDIT_STATE}, new boolean[][] {all})[0];
            assertEquals(2, SoftActorCriticLearningTest.argmax(free), "the agent should prefer the paying action");

            boolean[] without = {true, true, false};
            float[] masked = agent.policy(new float[][] {BANDIT_STATE}, new boolean[][] {without})[0];
            assertEquals(0f, masked[2]);
            assertNotEquals(2, SoftActorCriticLearningTest.argmax(masked));
            for (int k = 0; k < 1000; k++) {
                assertNotEquals(2, SoftActorCriticLearningTest.sample(masked, r));
            }
        }
    }

    @Test
    void restoredWeightsGiveTheSamePolicyValuesTemperatureAndNextUpdate() {
        Random r = new Random(6);
        List<Transition> batch = randomBatch(r, SPEC, 48);
        try (SoftActorCritic agent = agents.create(SPEC, 7)) {
            for (int u = 0; u < 20; u++) {
                agent.update(batch);
            }
            Map<String, float[]> weights = agent.weights();
            assertTrue(weights.containsKey("log_alpha"), "the temperature is saved: " + weights.keySet());
            assertEquals(1, weights.get("log_alpha").length);
            try (SoftActorCritic restored = agents.restore(SPEC, weights, 7)) {
                float[][] states = randomStates(r, 10, SPEC.stateSize());
                boolean[][] masks = new boolean[10][SPEC.actions()];
                for (boolean[] m : masks) {
                    m[0] = true;
                    m[2] = true;
                }
                assertArrayEquals(agent.policy(states, masks), restored.policy(states, masks));
                assertArrayEquals(agent.values(states), restored.values(states));
                assertEquals(agent.temperature(), restored.temperature());
                assertNotEquals(1.0, restored.temperature(), "twenty updates should have moved the temperature");
                assertEquals(agent.parameterCount(), restored.parameterCount());
                // measured before the step, so equal only if the target critics came back too
                assertEquals(agent.update(batch), restored.update(batch));
            }
        }
    }

    @Test
    void restoreNamesAMissingOrWronglySizedArray() {
        try (SoftActorCritic agent = agents.create(SPEC, 1)) {
            Map<String, float[]> missing = new HashMap<>(agent.weights());
            missing.remove("target2_W1");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> agents.restore(SPEC, missing, 1));
            assertTrue(e.getMessage().contains("'target2_W1'"), e.getMessage());

            Map<String, float[]> wrong = new HashMap<>(agent.weights());
            wrong.put("log_alpha", new float[2]);
            e = assertThrows(IllegalArgumentException.class, () -> agents.restore(SPEC, wrong, 1));
            assertTrue(e.getMessage().contains("'log_alpha' has 2 values"), e.getMessage());

            AgentSpec wider = new AgentSpec(5, 4, 17, 2, 3e-3, 0.9, 0.05, 0.5);
            e = assertThrows(IllegalArgumentException.class, () -> agents.restore(wider, agent.weights(), 1));
            assertTrue(e.getMessage().contains("'actor_W0'"), e.getMessage());
        }
    }

    @Test
    void badInputsAreRefusedByName() {
        Random r = new Random(8);
        try (SoftActorCritic agent = agents.create(SPEC, 1)) {
            boolean[] ok = {true, true, false, true};
            float[] state = new float[5];
            assertMessage("states row 1 has 3 values, the agent takes 5",
                    () -> agent.policy(new float[][] {state, new float[3]}, new boolean[][] {ok, ok}));
            assertMessage("mask row 0 has 2 entries, the agent has 4 actions",
                    () -> agent.policy(new float[][] {state}, new boolean[][] {{true, true}}));
            assertMessage("mask row 0 allows no action",
                    () -> agent.policy(new float[][] {state}, new boolean[][] {new boolean[4]}));
            assertMessage("1 rows for 2 states",
                    () -> agent.policy(new float[][] {state, state}, new boolean[][] {ok}));
            assertMessage("no states", () -> agent.policy(new float[0][], new boolean[0][]));
            assertMessage("no states", () -> agent.values(new float[0][]));
            assertMessage("states row 0 holds a non-finite value NaN",
                    () -> agent.values(new float[][] {{0, 0, Float.NaN, 0, 0}}));
            assertMessage("the update batch is empty", () -> agent.update(List.of()));
            assertMessage("transition 0 state has 4 values",
                    () -> agent.update(List.of(new Transition(new float[4], ok, 0, 0, state, ok, false))));
            assertMessage("transition 0 next state has 6 values",
                    () -> agent.update(List.of(new Transition(state, ok, 0, 0, new float[6], ok, false))));
            assertMessage("transition 1 mask has 3 entries", () -> agent.update(List.of(
                    new Transition(state, ok, 0, 0, state, ok, false),
                    new Transition(state, new boolean[] {true, false, false}, 0, 0, state, ok, false))));
            assertMessage("transition 0 next mask allows no action",
                    () -> agent.update(List.of(new Transition(state, ok, 0, 0, state, new boolean[4], false))));

            // the last state of an episode may allow nothing: its values are not used
            UpdateStats stats = agent.update(List.of(new Transition(state, ok, 1, 1, state, new boolean[4], true)));
            assertTrue(Double.isFinite(stats.criticLoss()) && Double.isFinite(stats.actorLoss()), stats.toString());
            assertEquals(4, agent.values(randomStates(r, 3, 5))[0].length);
        }
        SoftActorCritic closed = agents.create(SPEC, 1);
        closed.close();
        assertThrows(IllegalStateException.class, closed::temperature);
    }

    private static void assertMessage(String expected, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }

    @Test
    void temperatureFallsWhileThePolicyIsTooRandomAndRisesWhileItIsTooSure() {
        boolean[] all = {true, true, true};
        double maxEntropy = Math.log(3);
        // a low target: the first, nearly uniform policy is far too random
        AgentSpec low = new AgentSpec(2, 3, 16, 1, 1e-2, 0.9, 0.05, 0.3);
        try (SoftActorCritic agent = agents.create(low, 9)) {
            float[] first = agent.policy(new float[][] {BANDIT_STATE}, new boolean[][] {all})[0];
            assertTrue(entropy(first) > 0.95 * maxEntropy, "first policy entropy " + entropy(first));
            trainBandit(agent, all, 0, 400, new Random(10));
            double h = entropy(agent.policy(new float[][] {BANDIT_STATE}, new boolean[][] {all})[0]);
            System.out.printf("entropy target %.3f: temperature 1 -> %.3f, entropy %.3f -> %.3f%n",
                    0.3 * maxEntropy, agent.temperature(), entropy(first), h);
            assertTrue(agent.temperature() < 0.7, "temperature " + agent.temperature());
            assertEquals(0.3 * maxEntropy, h, 0.15, "entropy after tuning");
        }
        // a high target: a reward gap of 1 makes the policy surer than the target allows at temperature 1
        AgentSpec high = new AgentSpec(2, 3, 16, 1, 1e-2, 0.9, 0.05, 0.95);
        try (SoftActorCritic agent = agents.create(high, 9)) {
            trainBandit(agent, all, 0, 400, new Random(10));
            double h = entropy(agent.policy(new float[][] {BANDIT_STATE}, new boolean[][] {all})[0]);
            System.out.printf("entropy target %.3f: temperature 1 -> %.3f, entropy %.3f%n",
                    0.95 * maxEntropy, agent.temperature(), h);
            assertTrue(agent.temperature() > 1.3, "temperature " + agent.temperature());
            assertEquals(0.95 * maxEntropy, h, 0.1, "entropy after tuning");
        }
    }

    @Test
    void callsFromSeveralThreadsAreSerialisedPerAgent() throws Exception {
        Random r = new Random(12);
        List<Transition> batch = randomBatch(r, SPEC, 32);
        float[][] states = randomStates(r, 4, SPEC.stateSize());
        boolean[][] masks = new boolean[4][SPEC.actions()];
        for (boolean[] m : masks) {
            m[1] = true;
            m[3] = true;
        }
        try (SoftActorCritic shared = agents.create(SPEC, 13); SoftActorCritic alone = agents.create(SPEC, 13)) {
            ExecutorService pool = Executors.newFixedThreadPool(3);
            try {
                List<Future<?>> work = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    work.add(pool.submit(() -> {
                        for (int u = 0; u < 15; u++) {
                            shared.update(batch);
                            float[][] p = shared.policy(states, masks);
                            assertEquals(0f, p[0][0]);
                        }
                        return null;
                    }));
                }
                work.add(pool.submit(() -> {
                    for (int u = 0; u < 30; u++) {
                        alone.update(batch);
                    }
                    return null;
                }));
                for (Future<?> f : work) {
                    f.get(120, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            // 30 updates each on the same batch, from two threads or one: the same result, so none was torn
            assertArrayEquals(alone.policy(states, masks), shared.policy(states, masks));
            assertEquals(alone.temperature(), shared.temperature());
        }
    }

    /** Not a check: the measured time of one update, batch 64, two hidden layers of 64, for the record. */
    @Test
    void printsTheTimeOfOneUpdate() {
        AgentSpec spec = AgentSpec.of(32, 4, 64, 2);
        List<Transition> batch = randomBatch(new Random(11), spec, 64);
        try (SoftActorCritic agent = agents.create(spec, 1)) {
            for (int u = 0; u < 30; u++) {
                agent.update(batch);
            }
            int updates = 200;
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long cpuStart = threads.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            UpdateStats last = null;
            for (int u = 0; u < updates; u++) {
                last = agent.update(batch);
            }
            double ms = (System.nanoTime() - start) / 1e6 / updates;
            double cpuMs = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e6 / updates;
            System.out.printf("SAC update: %.2f ms wall, %.2f ms CPU of the calling thread (batch 64, state 32,"
                    + " 4 actions, 2 x 64 hidden, %d parameters; %s)%n", ms, cpuMs, agent.parameterCount(),
                    agents.describe());
            assertTrue(Double.isFinite(last.criticLoss()), last.toString());
        }
    }
}
