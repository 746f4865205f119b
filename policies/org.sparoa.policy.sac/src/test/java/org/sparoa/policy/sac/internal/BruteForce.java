package org.sparoa.policy.sac.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.sparoa.api.BackendView;
import org.sparoa.api.PlanCost;

/** The cheapest placement of a small environment, by trying every one (backends^operators placements). */
final class BruteForce {
    private BruteForce() {
    }

    static double optimumMillis(CostEnvironment env) {
        List<BackendView> b = env.backends();
        int n = env.graph().nodes().size();
        double best = Double.POSITIVE_INFINITY;
        int[] choice = new int[n];
        long total = (long) Math.pow(b.size(), n);
        for (long k = 0; k < total; k++) {
            long rest = k;
            Map<String, String> p = new HashMap<>();
            boolean valid = true;
            for (int i = 0; i < n; i++) {
                choice[i] = (int) (rest % b.size());
                rest /= b.size();
                var node = env.graph().nodes().get(i);
                valid &= b.get(choice[i]).supports(node);
                p.put(node.name(), b.get(choice[i]).id());
            }
            if (valid) {
                best = Math.min(best, PlanCost.millis(env.graph(), p, env.actual()));
            }
        }
        return best;
    }
}
