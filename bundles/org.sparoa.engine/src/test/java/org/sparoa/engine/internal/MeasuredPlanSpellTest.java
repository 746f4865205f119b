package org.sparoa.engine.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.SteadyRounds;

/**
 * A slow spell of the machine that slows one plan much more than the other (ONNX Runtime's spinning threads about
 * 2x, the Java kernels about 1.1x) does not decide the measured choice: the plan faster at the machine's usual speed
 * is kept however many rounds fell in the spell.
 */
class MeasuredPlanSpellTest {
    @Test
    void roundsInASpellThatFavoursTheSlowerPlanAreLeftOutOfTheChoice() {
        // 20 rounds, 12 of them in a spell: plan 0 10 ms usually and 20 ms in the spell, plan 1 12 ms and 13 ms
        List<Long> ort = new ArrayList<>();
        List<Long> java = new ArrayList<>();
        for (int k = 0; k < 20; k++) {
            boolean spell = k % 5 >= 2;
            ort.add(Math.round((spell ? 20.0 : 10.0 + 0.01 * k) * 1e6));
            java.add(Math.round((spell ? 13.0 : 12.0 + 0.01 * k) * 1e6));
        }
        List<List<Long>> all = List.of(ort, java);
        int[] segments = {1, 1};
        assertEquals(1, MeasuredPlanChoice.pick(all, new boolean[2], segments),
                "the premise: over every round the spell decides, for plan 1");
        List<List<Long>> steady = SteadyRounds.keep(all);
        assertEquals(8, steady.get(0).size(), "the 8 rounds outside the spell");
        assertEquals(0, MeasuredPlanChoice.pick(steady, new boolean[2], segments));
        assertTrue(MeasuredPlanChoice.clearlyDecided(steady, new boolean[2]), "1.2x apart in every steady round");
    }

    @Test
    void theChoiceKeepsThePlanFasterAtTheUsualSpeedWhenASpellCoversMostRounds() {
        Model model = new Model("spells", null, "", new Graph("spells", List.of(), List.of(), List.of(), Map.of(),
                Map.of(), Map.of()), new byte[0]);
        ExecutionPlan ort = new ExecutionPlan(model, List.of(), Map.of(), Map.of(), "test", null);
        ExecutionPlan java = new ExecutionPlan(model, List.of(), Map.of(), Map.of(), "test", null);
        long start = System.nanoTime();
        // the machine: in a spell for 400 ms of every 600 (about two rounds in three); ORT 1 ms and 2 ms in a spell,
        // the Java plan 1.2 ms and 1.3 ms
        MeasuredPlanChoice.Choice choice = MeasuredPlanChoice.choose(java, "java",
                List.of(new MeasuredPlanChoice.Candidate("ort", () -> ort)),
                new MeasuredPlanChoice.Schedule(24, 24, 0, 60_000), plan -> {
                    boolean spell = (System.nanoTime() - start) / 1_000_000L % 600 >= 200;
                    double millis = plan == ort ? (spell ? 2.0 : 1.0) : (spell ? 1.3 : 1.2);
                    spin(millis);
                    return null;
                });
        assertTrue(choice.plan() == ort, "the plan 1.2x faster outside the spell, not the one faster in it");
        assertNotNull(choice.reason());
        assertTrue(choice.reason().contains("slow-spell rounds left out"), choice.reason());
        // without a spell nothing is left out, and the faster plan is kept as before
        MeasuredPlanChoice.Choice quiet = MeasuredPlanChoice.choose(ort, "ort",
                List.of(new MeasuredPlanChoice.Candidate("java",
                        () -> new ExecutionPlan(model, List.of(), Map.of(), Map.of(), "test", null))),
                new MeasuredPlanChoice.Schedule(6, 6, 0, 60_000), plan -> {
                    spin(plan == ort ? 1.0 : 1.2);
                    return null;
                });
        assertNull(quiet.reason(), "the proposed plan, faster, is kept");
    }

    private static void spin(double millis) {
        long end = System.nanoTime() + Math.round(millis * 1e6);
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}
