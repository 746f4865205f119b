package org.sparoa.engine.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a policy's plan only when it is measurably faster than running the whole model on one backend. A placement
 * is a prediction from per-operator costs, and per-operator costs miss what a whole-segment run saves (operator
 * fusion, one launch instead of many) and what every hand-over adds; so before a plan is cached, it and the
 * single-backend plans of every live backend that runs all operators are timed on the request's own inputs,
 * alternating, and the fastest is kept. The policy's plan wins ties within {@link #MARGIN}.
 */
final class MeasuredPlanChoice {
    private static final Logger LOG = LoggerFactory.getLogger(MeasuredPlanChoice.class);
    /** A single-backend plan must be this much faster to replace the policy's plan (run-to-run noise). */
    static final double MARGIN = 0.02;

    /** A candidate: its label for the log and the plan description, and how to build it (may throw). */
    record Candidate(String label, java.util.function.Supplier<ExecutionPlan> build) {
    }

    /** The plan kept, and why it replaced the policy's plan (null when the policy's plan was kept). */
    record Choice(ExecutionPlan plan, String reason) {
    }

    private MeasuredPlanChoice() {
    }

    /**
     * Times {@code proposed} against every alternative, each run by {@code runOnce} on the request's inputs
     * ({@code rounds} alternating visits after one warm-up run each; a visit is an untimed and a timed run), and
     * returns the fastest; the plans not chosen
     * are closed. An alternative that fails to build or run is dropped; a failure of the proposed plan propagates,
     * as it would on the request.
     */
    static Choice choose(ExecutionPlan proposed, String proposedLabel, List<Candidate> alternatives, int rounds,
                         Function<ExecutionPlan, Object> runOnce) {
        List<ExecutionPlan> plans = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        plans.add(proposed);
        labels.add(proposedLabel);
        for (Candidate c : alternatives) {
            ExecutionPlan p = null;
            try {
                p = c.build().get();
                runOnce.apply(p);
                plans.add(p);
                labels.add(c.label());
            } catch (RuntimeException e) {
                LOG.debug("Alternative {} dropped: {}", c.label(), e.getMessage());
                if (p != null) {
                    p.retire();
                }
            }
        }
        if (plans.size() == 1) {
            return new Choice(proposed, null);
        }
        long[][] nanos = new long[plans.size()][rounds];
        boolean[] failed = new boolean[plans.size()];
        try {
            runOnce.apply(proposed);
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < plans.size(); k++) {
                    int i = (k + r) % plans.size(); // rotate the order, so that no plan always runs first
                    if (failed[i]) {
                        continue;
                    }
                    long start = 0;
                    try {
                        // one untimed run first: the timed one then shows the plan's steady latency, not that of
                        // the first run after another plan (ONNX Runtime's threads spin for a while after a run and
                        // take the cores from whatever runs next)
                        runOnce.apply(plans.get(i));
                        start = System.nanoTime();
                        runOnce.apply(plans.get(i));
                    } catch (RuntimeException e) {
                        if (i == 0) {
                            throw e;
                        }
                        LOG.debug("Alternative {} dropped: {}", labels.get(i), e.getMessage());
                        failed[i] = true;
                    }
                    nanos[i][r] = System.nanoTime() - start;
                }
            }
        } catch (RuntimeException e) {
            plans.subList(1, plans.size()).forEach(ExecutionPlan::retire);
            throw e;
        }
        double[] median = new double[plans.size()];
        int best = 0;
        for (int i = 0; i < plans.size(); i++) {
            long[] t = nanos[i].clone();
            Arrays.sort(t);
            median[i] = t[t.length / 2] / 1e6;
            if (!failed[i] && median[i] < median[best]) {
                best = i;
            }
        }
        if (best != 0 && median[best] > median[0] * (1 - MARGIN)) {
            best = 0;
        }
        StringBuilder measured = new StringBuilder();
        for (int i = 0; i < plans.size(); i++) {
            measured.append(i == 0 ? "" : ", ").append(labels.get(i))
                    .append(String.format(Locale.ROOT, " %.3f ms", median[i]));
        }
        for (int i = 0; i < plans.size(); i++) {
            if (i != best) {
                plans.get(i).retire();
            }
        }
        LOG.info("Measured plans of {} on the request's inputs: {}; kept {}", proposed.model().id(), measured,
                labels.get(best));
        return new Choice(plans.get(best), best == 0 ? null
                : "a single backend was measured faster on the request's inputs (median of " + rounds + " runs: "
                        + measured + ")");
    }
}
