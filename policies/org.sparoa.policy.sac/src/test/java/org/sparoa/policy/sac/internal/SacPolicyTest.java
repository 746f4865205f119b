package org.sparoa.policy.sac.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparoa.api.BackendView;
import org.sparoa.api.CostModel;
import org.sparoa.api.DeviceKind;
import org.sparoa.api.DeviceState;
import org.sparoa.api.Model;
import org.sparoa.api.Placement;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.learn.SoftActorCritics;
import org.sparoa.ml.Networks;

class SacPolicyTest {
    private static final SoftActorCritics AGENTS = Networks.agentsOutsideOsgi(1);
    private static final CostModel COSTS = Views.costs((b, n) -> b.equals("a") ? 1.0 : 1.5, 0.3, 0.5);

    @TempDir
    Path dir;

    private static SchedulingContext context(Model m, List<BackendView> backends) {
        return new SchedulingContext(m, backends, Map.of(), COSTS);
    }

    /** Weights of a short training run (their quality does not matter here). */
    private static SacWeights weights(long seed) throws IOException {
        Model m = Views.chain(4, "Conv");
        OfflineTraining.Outcome out = OfflineTraining.run(AGENTS,
                List.of(context(m, List.of(new Views.Fake("a"), new Views.Fake("b")))), null, 5, seed, 600_000,
                Map.of("test", "yes"), (done, total, env, ratio) -> { }, () -> false);
        return WeightsStore.readBytes(out.weights(), "test weights");
    }

    @Test
    void placesEveryOperatorOnAnAllowedBackendAndExplainsEachDecision() throws IOException {
        new WeightsStore(dir).save(weights(1));
        SacPolicy policy = new SacPolicy(AGENTS, dir);
        try {
            List<BackendView> backends = List.of(new Views.Fake("a"),
                    new Views.Fake("b", DeviceKind.GPU, DeviceState.idle(0), n -> !n.opType().equals("Relu")));
            Model m = Views.chain(7, "Conv", "Relu");
            Placement p = policy.place(context(m, backends));
            assertEquals(7, p.backendByNode().size());
            m.graph().nodes().stream().filter(n -> n.opType().equals("Relu"))
                    .forEach(n -> assertEquals("a", p.backendOf(n.name()), "b cannot run " + n));
            List<String> lines = policy.explain(context(m, backends));
            assertEquals(1 + 7, lines.size(), String.join("\n", lines));
            assertTrue(lines.get(0).contains("sac-v0001.weights"), lines.get(0));
            assertTrue(lines.get(2).contains("op1 (Relu) -> a") && lines.get(2).contains("p: a 1.000"), lines.get(2));
            assertTrue(lines.get(1).contains("hand-over"), lines.get(1));
            assertTrue(policy.recentContext(m.id()).isPresent());
        } finally {
            policy.close();
        }
    }

    @Test
    void theCandidatesAreTheAgentsPlanThenTheCheapestFewCutPlans() throws IOException {
        new WeightsStore(dir).save(weights(1));
        SacPolicy policy = new SacPolicy(AGENTS, dir);
        try {
            // the first half of the chain is much cheaper on a, the second half on b: the best 2-segment plan cuts
            // in the middle
            Model m = Views.chain(8, "Conv");
            CostModel halves = Views.costs((b, n) -> {
                boolean first = Integer.parseInt(n.name().substring(2)) < 4;
                return b.equals(first ? "a" : "b") ? 1.0 : 5.0;
            }, 0.1, 0.2);
            SchedulingContext c = new SchedulingContext(m, List.of(new Views.Fake("a"), new Views.Fake("b")),
                    Map.of(), halves);
            List<Placement> candidates = policy.candidates(c);
            assertEquals(policy.place(c), candidates.get(0), "the agent's plan first");
            assertEquals(candidates.size(), java.util.Set.copyOf(candidates).size(), "no plan twice");
            Map<String, String> cutInTheMiddle = new java.util.HashMap<>();
            m.graph().nodes().forEach(n -> cutInTheMiddle.put(n.name(),
                    Integer.parseInt(n.name().substring(2)) < 4 ? "a" : "b"));
            assertTrue(candidates.contains(new Placement(cutInTheMiddle)), candidates.toString());
            for (Placement p : candidates.subList(1, candidates.size())) {
                assertTrue(p.backendByNode().values().stream().distinct().count() > 1, "single backends are the "
                        + "engine's own candidates: " + p);
            }
        } finally {
            policy.close();
        }
    }

    @Test
    void moreBackendsThanSlotsUsesTheFirstFourAndAContextItCannotPlaceIsNamed() throws IOException {
        new WeightsStore(dir).save(weights(2));
        SacPolicy policy = new SacPolicy(AGENTS, dir);
        try {
            List<BackendView> five = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                five.add(new Views.Fake("b" + i, DeviceKind.CPU, DeviceState.idle(0), n -> !n.opType().equals("Sigmoid")));
            }
            five.add(new Views.Fake("fifth"));
            Placement p = policy.place(context(Views.chain(5, "Conv"), five));
            assertTrue(p.backendByNode().values().stream().noneMatch("fifth"::equals), p.toString());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> policy.place(context(Views.chain(3, "Conv", "Sigmoid"), five)));
            assertTrue(e.getMessage().contains("op1 (Sigmoid)") && e.getMessage().contains("4 slots"), e.getMessage());
            IllegalArgumentException noCosts = assertThrows(IllegalArgumentException.class, () -> policy.place(
                    new SchedulingContext(Views.chain(2, "Conv"), five, Map.of(), CostModel.NONE)));
            assertTrue(noCosts.getMessage().contains("op0 (Conv)") && noCosts.getMessage().contains("no measured cost"),
                    noCosts.getMessage());
        } finally {
            policy.close();
        }
    }

    @Test
    void aNewerVersionIsUsedFromTheNextDecisionAndADamagedOneIsRefusedKeepingTheAgentInUse() throws IOException {
        WeightsStore store = new WeightsStore(dir);
        store.save(weights(3));
        SacPolicy policy = new SacPolicy(AGENTS, dir);
        try {
            SchedulingContext c = context(Views.chain(4, "Conv"), List.of(new Views.Fake("a"), new Views.Fake("b")));
            assertTrue(policy.decide(c, false).weights().endsWith("sac-v0001.weights"));
            store.save(weights(4));
            assertTrue(policy.decide(c, false).weights().endsWith("sac-v0002.weights"), "hot reload");
            Path v3 = store.save(weights(5));
            Files.write(v3, new byte[] {1, 2, 3});
            assertTrue(policy.decide(c, false).weights().endsWith("sac-v0002.weights"), "the damaged v3 is refused");
        } finally {
            policy.close();
        }
    }

    @Test
    void withoutUsableStoredWeightsTheShippedDefaultDecidesOrTheErrorSaysWhy() throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve("sac-v0001.weights"), "garbage".getBytes());
        SacPolicy policy = new SacPolicy(AGENTS, dir);
        try {
            SchedulingContext c = context(Views.chain(4, "Conv"), List.of(new Views.Fake("a"), new Views.Fake("b")));
            boolean shipped = SacWeights.class.getResource(WeightsStore.DEFAULT_RESOURCE) != null;
            if (shipped) {
                assertEquals("bundle default", policy.decide(c, false).weights());
            } else {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> policy.decide(c, false));
                assertTrue(e.getMessage().contains("no trained weights") && e.getMessage().contains("sac-v0001.weights")
                        && e.getMessage().contains("not a SAC weights file"), e.getMessage());
            }
        } finally {
            policy.close();
        }
    }

    /** Deciding reads the actor in plain Java: it must not wait for the learning runtime to build an agent. */
    @Test
    void decidingDoesNotBuildANativeAgent() throws IOException {
        new WeightsStore(dir).save(weights(2));
        SoftActorCritics refusing = new SoftActorCritics() {
            @Override
            public org.sparoa.api.learn.SoftActorCritic create(org.sparoa.api.learn.AgentSpec spec, long seed) {
                throw new AssertionError("a decision built an agent");
            }

            @Override
            public org.sparoa.api.learn.SoftActorCritic restore(org.sparoa.api.learn.AgentSpec spec,
                                                                Map<String, float[]> weights, long seed) {
                throw new AssertionError("a decision restored an agent");
            }

            @Override
            public String describe() {
                return "refusing";
            }
        };
        SacPolicy policy = new SacPolicy(refusing, dir);
        try {
            SchedulingContext c = context(Views.chain(5, "Conv"), List.of(new Views.Fake("a"), new Views.Fake("b")));
            assertEquals(5, policy.place(c).backendByNode().size());
            assertTrue(policy.decide(c, false).weights().contains("sac-v0001.weights"));
        } finally {
            policy.close();
        }
    }
}
