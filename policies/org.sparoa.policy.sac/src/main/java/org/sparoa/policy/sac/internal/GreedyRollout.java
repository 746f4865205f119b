package org.sparoa.policy.sac.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.sparoa.api.Node;
import org.sparoa.api.learn.SoftActorCritic;

/**
 * An agent's decision over a whole episode, in one pass and without search: each operator on the allowed slot the
 * actor gives the highest probability (ties: the first slot).
 */
final class GreedyRollout {

    /** The placement, its actual time, and per operator one line (state summary, action probabilities) if asked. */
    record Decision(Map<String, String> placement, double totalMillis, List<String> explanation) {
    }

    private GreedyRollout() {
    }

    static Decision run(SoftActorCritic agent, PlacementEpisode episode, boolean explain) {
        return run(Actor.of(agent), episode, explain);
    }

    static Decision run(Actor actor, PlacementEpisode episode, boolean explain) {
        episode.reset();
        List<String> lines = new ArrayList<>();
        List<String> slots = episode.encoder().slotIds();
        while (!episode.done()) {
            int i = episode.current();
            boolean[] mask = episode.mask();
            String summary = explain ? episode.summary() : "";
            float[] p = actor.probabilities(episode.state(), mask);
            int best = argmax(p, mask);
            if (explain) {
                Node n = episode.encoder().node(i);
                StringBuilder probs = new StringBuilder();
                for (int s = 0; s < slots.size(); s++) {
                    if (mask[s]) {
                        probs.append(String.format(Locale.ROOT, " %s %.3f", slots.get(s), p[s]));
                    }
                }
                lines.add(String.format(Locale.ROOT, "%d %s (%s) -> %s | p:%s | %s", i, n.name(), n.opType(),
                        slots.get(best), probs, summary));
            }
            episode.step(best);
        }
        return new Decision(episode.placement(), episode.totalMillis(), List.copyOf(lines));
    }

    static int argmax(float[] p, boolean[] mask) {
        int best = -1;
        for (int s = 0; s < mask.length; s++) {
            if (mask[s] && (best < 0 || p[s] > p[best])) {
                best = s;
            }
        }
        if (best < 0) {
            throw new IllegalArgumentException("no action is allowed");
        }
        return best;
    }
}
