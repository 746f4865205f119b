package org.sparoa.engine.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.api.SteadyRounds;

/**
 * Keeps a policy's plan only when it is measurably faster than running the whole model on one backend, and than the
 * policy's other candidates (its cheapest plans with few segments, {@link org.sparoa.api.SchedulingPolicy#candidates}).
 * A placement
 * is a prediction from per-operator costs, and per-operator costs miss what a whole-segment run saves (operator
 * fusion, one launch instead of many) and what every hand-over adds; so before a plan is cached, it and the
 * single-backend plans of every live backend that runs all operators are timed on the request's own inputs,
 * alternating, and the fastest is kept. Plans are compared by their <em>same-round</em> ratios (each round times every
 * plan once, one visit after the other): a machine that switches between fast and slow spells for seconds at a time
 * slows both visits of a round, where the medians of all runs of each plan would tip whichever way the last spell
 * fell (see {@link #ratio}). A spell does not slow every runtime alike, though (ONNX Runtime's two spinning threads
 * about 2x, the Java kernels less), so rounds in which the machine as a whole ran slow are left out
 * ({@link SteadyRounds}): otherwise a spell decides between two backends a few per cent apart. Rounds continue while
 * the two fastest are within their measurement noise of
 * each other (up to a bound), so that a choice between two plans within a few percent is not a coin toss; where
 * the rounds end with a single-backend plan within the noise of a faster split, the single backend is kept
 * ({@link #pick}). The policy's plan wins ties within {@link #MARGIN}. A plan measured more than {@link #DROP_SLOWER_THAN} times slower
 * than the fastest after the minimum rounds is not visited again, so that more candidates do not make the rounds
 * that decide between the close ones longer. A visit is not timed while the JIT compilers are busy, within a bound
 * ({@link #settle}): on a machine with few cores a compiler thread takes a core from the plan being timed.
 */
final class MeasuredPlanChoice {
    private static final Logger LOG = LoggerFactory.getLogger(MeasuredPlanChoice.class);
    /** Another plan must be this much faster to replace the policy's plan (run-to-run noise). */
    static final double MARGIN = 0.02;
    /** After the minimum rounds, plans this many times slower than the fastest so far are no longer timed. */
    static final double DROP_SLOWER_THAN = 1.5;

    /**
     * A candidate: its label for the log and the plan description, how to build it (may throw), and where known its
     * placement and number of segments (to find it among {@link EarlierRounds}; null and 0 where not).
     */
    record Candidate(String label, java.util.function.Supplier<ExecutionPlan> build, Map<String, String> placement,
                     int segments) {
        Candidate(String label, java.util.function.Supplier<ExecutionPlan> build) {
            this(label, build, null, 0);
        }
    }

    /**
     * The plan kept, why it replaced the policy's plan (null when the policy's plan was kept), and whether the rounds
     * told it apart from the runner-up ({@link #clearlyDecided}; false where they ended on their bound first).
     */
    record Choice(ExecutionPlan plan, String reason, boolean decided) {
    }

    private MeasuredPlanChoice() {
    }

    /**
     * How long to measure. Every plan first runs untimed ({@link #warmUntilSteady}, at most {@code warmupMillis});
     * then {@code minRounds} alternating rounds, continued while the fastest two are not clearly apart
     * ({@link #clearlyDecided}), fewer than {@code maxRounds} have run and the rounds have taken less than
     * {@code budgetMillis} (the minimum rounds always run: with more candidates the budget ends the noise-driven
     * rounds sooner, it never leaves a plan untimed).
     */
    record Schedule(int minRounds, int maxRounds, long warmupMillis, long budgetMillis) {
        Schedule {
            minRounds = Math.max(1, minRounds);
            maxRounds = Math.max(minRounds, maxRounds);
        }
    }

    /** Runs compared when deciding whether a plan is still getting faster (a JIT compiling its code). */
    static final int STEADY_WINDOW = 16;
    /** Untimed runs of a plan, at the least, before its warm-up may end early. */
    static final int MIN_WARMUP_RUNS = 64;
    /**
     * Each visit of a plan runs it untimed for this long before timing it: measured on BlazeFace back, the whole
     * model on sparse-cpu ran 6-7 ms for the first 30-35 ms after ONNX Runtime had run, 4.1 ms from then on.
     */
    static final long SETTLE_NANOS = 40_000_000L;
    /** Timed runs per visit, after the settling ones. */
    static final int TIMED_PER_VISIT = 3;
    /**
     * A visit's settling goes on, by at most this much, while the JIT compilers are busy: on a first request of
     * PP-OCRv3 det at 80 % they compiled for 0.8-1.7 s during 2 s of timed rounds, on cores the timed plans need.
     */
    static final long MAX_EXTRA_SETTLE_NANOS = 200_000_000L;
    /** All visits of one choice together settle at most this much longer for the compilers. */
    static final long MAX_EXTRA_SETTLE_PER_CHOICE_NANOS = 1_000_000_000L;
    /** Compiler-quiet time that ends an extended settling. */
    static final long QUIET_NANOS = 10_000_000L;

    /**
     * Times {@code proposed} against every alternative, each run by {@code runOnce} on the request's inputs (after
     * the warm-up of {@code schedule}, alternating rounds; a visit is {@link #SETTLE_NANOS} of untimed runs, then
     * {@link #TIMED_PER_VISIT} timed ones), and returns the
     * fastest; the plans not chosen are closed. An alternative that fails to build or run is dropped; a failure of
     * the proposed plan propagates, as it would on the request.
     */
    static Choice choose(ExecutionPlan proposed, String proposedLabel, List<Candidate> alternatives, Schedule schedule,
                         Function<ExecutionPlan, Object> runOnce) {
        return choose(proposed, null, proposedLabel, alternatives, schedule, runOnce, EarlierRounds.NONE);
    }

    /**
     * As {@link #choose(ExecutionPlan, String, List, Schedule, Function)}, starting from {@code earlier} rounds where
     * they timed the proposed plan (placement {@code proposedPlacement}) and every alternative, on the same inputs, in
     * at least the schedule's minimum rounds: where those already decide ({@link #clearlyDecided}), nothing is timed
     * again and only the plan kept is built; where they do not, every plan is built and the rounds go on from them.
     */
    static Choice choose(ExecutionPlan proposed, Map<String, String> proposedPlacement, String proposedLabel,
                         List<Candidate> alternatives, Schedule schedule, Function<ExecutionPlan, Object> runOnce,
                         EarlierRounds earlier) {
        List<List<Long>> seeded = seeded(proposedPlacement, alternatives, earlier);
        if (seeded != null && seeded.get(0).size() >= schedule.minRounds()) {
            Choice decided = decidedEarlier(proposed, proposedLabel, alternatives, seeded);
            if (decided != null) {
                return decided;
            }
        }
        List<ExecutionPlan> plans = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<List<Long>> nanos = new ArrayList<>();
        plans.add(proposed);
        labels.add(proposedLabel);
        nanos.add(seeded == null ? new ArrayList<>() : new ArrayList<>(seeded.get(0)));
        for (int a = 0; a < alternatives.size(); a++) {
            Candidate c = alternatives.get(a);
            ExecutionPlan p = null;
            try {
                p = c.build().get();
                runOnce.apply(p);
                plans.add(p);
                labels.add(c.label());
                nanos.add(seeded == null ? new ArrayList<>() : new ArrayList<>(seeded.get(a + 1)));
            } catch (RuntimeException e) {
                LOG.debug("Alternative {} dropped: {}", c.label(), e.getMessage());
                if (p != null) {
                    p.retire();
                }
            }
        }
        if (plans.size() == 1) {
            return new Choice(proposed, null, true);
        }
        boolean[] failed = new boolean[plans.size()];
        boolean[] outrun = new boolean[plans.size()];
        int rounds = nanos.get(0).size();
        int earlierRounds = rounds;
        long jitBefore = 0;
        long roundsStart = 0;
        long extraSettleLeft = MAX_EXTRA_SETTLE_PER_CHOICE_NANOS;
        try {
            for (int i = 0; i < plans.size(); i++) {
                try {
                    warmUntilSteady(plans.get(i), runOnce, schedule.warmupMillis());
                } catch (RuntimeException e) {
                    if (i == 0) {
                        throw e;
                    }
                    LOG.debug("Alternative {} dropped: {}", labels.get(i), e.getMessage());
                    failed[i] = true;
                }
            }
            roundsStart = System.nanoTime();
            jitBefore = compileMillis();
            while (rounds < schedule.maxRounds()) {
                for (int k = 0; k < plans.size(); k++) {
                    int i = (k + rounds) % plans.size(); // rotate the order, so that no plan always runs first
                    if (failed[i] || outrun[i]) {
                        continue;
                    }
                    try {
                        // untimed runs first, for SETTLE_NANOS: the timed ones then show the plan's steady latency,
                        // not that of the runs right after another plan (ONNX Runtime's pool threads keep spinning
                        // for tens of milliseconds after a run and take the cores from whatever runs next)
                        ExecutionPlan visited = plans.get(i);
                        extraSettleLeft -= settle(() -> runOnce.apply(visited), extraSettleLeft,
                                MeasuredPlanChoice::compileMillis);
                        nanos.get(i).add(timedVisit(() -> runOnce.apply(visited)));
                    } catch (RuntimeException e) {
                        if (i == 0) {
                            throw e;
                        }
                        LOG.debug("Alternative {} dropped: {}", labels.get(i), e.getMessage());
                        failed[i] = true;
                    }
                }
                rounds++;
                if (rounds >= schedule.minRounds()) {
                    List<List<Long>> steady = SteadyRounds.keep(nanos);
                    dropFarSlower(steady, failed, outrun);
                    if (clearlyDecided(steady, failed)
                            || System.nanoTime() - roundsStart > schedule.budgetMillis() * 1_000_000L) {
                        break;
                    }
                }
            }
        } catch (RuntimeException e) {
            plans.subList(1, plans.size()).forEach(ExecutionPlan::retire);
            throw e;
        }
        int[] segments = new int[plans.size()];
        for (int i = 0; i < plans.size(); i++) {
            segments[i] = plans.get(i).segments().size();
        }
        String earlierNote = earlierRounds > 0
                ? "the first " + earlierRounds + " timed by the cost calibration just before, " : "";
        long jitMillis = compileMillis() - jitBefore;
        boolean jitBusy = jitBusy(jitMillis, System.nanoTime() - roundsStart);
        String timing = earlierNote + "JIT compiling " + jitMillis + " ms meanwhile"
                + (jitBusy ? ", too busy to decide for good: measured again soon" : "");
        Verdict v = verdict(proposed.model().id(), labels, segments, nanos, failed, rounds, timing);
        for (int i = 0; i < plans.size(); i++) {
            if (i != v.best()) {
                plans.get(i).retire();
            }
        }
        return new Choice(plans.get(v.best()), v.reason(), v.decided() && !jitBusy);
    }

    /**
     * The proposed plan's and each alternative's visits in {@code earlier}, in that order, where it holds all of
     * them with as many rounds each; null where it does not (a plan it did not time, or no placement to look by).
     */
    private static List<List<Long>> seeded(Map<String, String> proposedPlacement, List<Candidate> alternatives,
                                           EarlierRounds earlier) {
        List<List<Long>> out = new ArrayList<>();
        out.add(earlier.of(proposedPlacement));
        alternatives.forEach(c -> out.add(earlier.of(c.placement())));
        if (out.get(0) == null || out.get(0).isEmpty()) {
            return null;
        }
        int rounds = out.get(0).size();
        return out.stream().allMatch(v -> v != null && v.size() == rounds) ? out : null;
    }

    /**
     * The choice made on {@code seeded} rounds alone, where they decide it: the proposed plan as it is, or the
     * alternative kept, built now; null where the rounds do not decide, or the alternative to keep fails to build.
     */
    private static Choice decidedEarlier(ExecutionPlan proposed, String proposedLabel, List<Candidate> alternatives,
                                         List<List<Long>> seeded) {
        boolean[] failed = new boolean[seeded.size()];
        List<List<Long>> steady = SteadyRounds.keep(seeded);
        if (!clearlyDecided(steady, failed)) {
            return null;
        }
        List<String> labels = new ArrayList<>();
        labels.add(proposedLabel);
        int[] segments = new int[seeded.size()];
        segments[0] = proposed.segments().size();
        for (int a = 0; a < alternatives.size(); a++) {
            labels.add(alternatives.get(a).label());
            segments[a + 1] = alternatives.get(a).segments();
        }
        int best = pick(steady, failed, segments);
        ExecutionPlan kept = proposed;
        if (best != 0) {
            try {
                kept = alternatives.get(best - 1).build().get();
            } catch (RuntimeException e) {
                LOG.debug("Alternative {} kept by the calibration's rounds but not built: {}", labels.get(best),
                        e.getMessage());
                return null;
            }
        }
        Verdict v = verdict(proposed.model().id(), labels, segments, seeded, failed, seeded.get(0).size(),
                "all timed by the cost calibration just before, none timed again");
        if (best != 0) {
            proposed.retire();
        }
        return new Choice(kept, v.reason(), v.decided());
    }

    /**
     * The plan to keep (its index), why it replaced the proposed plan (null when it did not), and whether the steady
     * rounds told the fastest from the runner-up ({@link #clearlyDecided}).
     */
    private record Verdict(int best, String reason, boolean decided) {
    }

    /** Picks the plan to keep from the rounds ({@link #pick}) and says so in the log; {@code timing}: how timed. */
    private static Verdict verdict(String modelId, List<String> labels, int[] segments, List<List<Long>> nanos,
                                   boolean[] failed, int rounds, String timing) {
        boolean[] steadyRounds = SteadyRounds.of(nanos);
        List<List<Long>> steady = SteadyRounds.keep(nanos, steadyRounds);
        double[] median = new double[labels.size()];
        for (int i = 0; i < labels.size(); i++) {
            median[i] = failed[i] ? Double.NaN : median(steady.get(i)) / 1e6;
        }
        int best = pick(steady, failed, segments);
        int fastest = fastest(steady, failed);
        StringBuilder measured = new StringBuilder();
        for (int i = 0; i < labels.size(); i++) {
            measured.append(i == 0 ? "" : ", ").append(labels.get(i))
                    .append(String.format(Locale.ROOT, " %.3f ms", median[i]));
            if (i != best && !failed[i]) {
                measured.append(String.format(Locale.ROOT, " (%.3fx the kept plan, same rounds)",
                        ratio(steady, i, best)));
            }
        }
        int slow = rounds - SteadyRounds.count(steadyRounds);
        LOG.info("Measured plans of {} on the request's inputs ({} rounds, {} left out as a slow spell of the machine,"
                + " {}): {}; kept {}", modelId, rounds, slow, timing, measured, labels.get(best));
        String how = best == fastest ? " was measured faster on the request's inputs"
                : " was kept by measurement on the request's inputs: " + labels.get(fastest) + " measured within the"
                        + " noise of it, and a split is kept only when measurably faster than one backend alone";
        return new Verdict(best, best == 0 ? null
                : labels.get(best) + how + " (medians of up to " + (rounds - slow) + " visits of " + TIMED_PER_VISIT
                        + " runs" + (slow > 0 ? ", " + slow + " slow-spell rounds left out" : "") + ": " + measured
                        + ")", clearlyDecided(steady, failed));
    }

    /** One visit's value: the median nanoseconds of {@link #TIMED_PER_VISIT} timed runs. */
    static long timedVisit(Runnable runOnce) {
        List<Long> visit = new ArrayList<>(TIMED_PER_VISIT);
        for (int run = 0; run < TIMED_PER_VISIT; run++) {
            long start = System.nanoTime();
            runOnce.run();
            visit.add(System.nanoTime() - start);
        }
        return Math.round(median(visit));
    }

    /**
     * Plan {@code a}'s time over plan {@code b}'s: the median of their same-round ratios ({@code samples} holds one
     * value per plan and round, the median of that visit's runs; a plan no longer visited has fewer). On a machine
     * that runs everything slower for seconds at a time, the two visits of one round almost always fall in the same
     * spell, so their ratio is the plans' and the spell cancels, where each plan's own median lands on either spell's
     * time depending on whether a little over or under half of its visits were slow (README, "How a request runs",
     * stage 6). NaN without a common round.
     */
    static double ratio(List<List<Long>> samples, int a, int b) {
        double[] d = logRatios(samples.get(a), samples.get(b));
        return d.length == 0 ? Double.NaN : Math.exp(median(d));
    }

    /** The natural logarithms of {@code a}'s visits over {@code b}'s, round by round, where both were timed. */
    static double[] logRatios(List<Long> a, List<Long> b) {
        int n = Math.min(a.size(), b.size());
        double[] d = new double[n];
        for (int k = 0; k < n; k++) {
            d[k] = Math.log((double) a.get(k) / b.get(k));
        }
        return d;
    }

    /**
     * The plan to keep, by index: the fastest ({@link #fastest}); the policy's plan (index 0) instead while the
     * fastest is not {@link #MARGIN} faster than it, round for round; and where a plan on a single backend is among
     * those the fastest is not {@link #apart} from — those its rounds could not tell from it — that plan (the
     * policy's first, then the faster) instead of a split. A split has to be measurably faster than running the
     * model on one backend: two plans within
     * their noise are equally fast as far as anyone knows, and the one without hand-overs has fewer ways to be slow
     * (hand-overs, two runtimes contending for the cores) when the machine is busier than during the measurement.
     * Between splits the faster stays: a 2-segment plan within the noise of a faster 3-segment one measured
     * 7 % slower head to head afterwards (M-LSD at 90 %, {@code bench/results/predicted-thresholds-2026-12-03-
     * fewest-segments-rule-2.txt}).
     */
    static int pick(List<List<Long>> samples, boolean[] failed, int[] segments) {
        int best = fastest(samples, failed);
        if (best != 0 && !failed[0] && !samples.get(0).isEmpty() && ratio(samples, best, 0) > 1 - MARGIN) {
            best = 0;
        }
        if (segments[best] <= 1) {
            return best;
        }
        int single = -1;
        for (int i = 0; i < samples.size(); i++) {
            if (segments[i] > 1 || failed[i] || samples.get(i).isEmpty() || apart(samples, best, i)) {
                continue;
            }
            if (single < 0 || (single != 0 && (i == 0 || ratio(samples, i, single) < 1))) {
                single = i;
            }
        }
        return single >= 0 ? single : best;
    }

    /**
     * The fastest plan among those that ran, by same-round ratios: the one whose ratios ({@link #ratio}) to every
     * other plan are lowest on geometric average. Medians of pairwise ratios need not be transitive (on a machine
     * with slow spells, A can beat B and B beat C round for round while C beats A), so a plan is judged against all
     * others at once, and the answer does not depend on the order the plans were listed in; with two plans it is the
     * one their ratio favours.
     */
    static int fastest(List<List<Long>> samples, boolean[] failed) {
        int best = -1;
        double bestScore = Double.POSITIVE_INFINITY;
        for (int i = 0; i < samples.size(); i++) {
            if (failed[i] || samples.get(i).isEmpty()) {
                continue;
            }
            double sum = 0;
            int n = 0;
            for (int j = 0; j < samples.size(); j++) {
                if (j == i || failed[j] || samples.get(j).isEmpty()) {
                    continue;
                }
                double r = ratio(samples, i, j);
                if (!Double.isNaN(r)) {
                    sum += Math.log(r);
                    n++;
                }
            }
            double score = n == 0 ? 0 : sum / n;
            if (best < 0 || score < bestScore) {
                best = i;
                bestScore = score;
            }
        }
        return Math.max(best, 0);
    }

    /**
     * Whether plan {@code slower} is measurably slower than plan {@code faster}, round for round: its median
     * same-round ratio is above 1.10, or (over three or more common rounds) the median log-ratio is more than twice
     * its standard error above 0.
     */
    static boolean apart(List<List<Long>> samples, int faster, int slower) {
        double[] d = logRatios(samples.get(slower), samples.get(faster));
        if (d.length == 0) {
            return false;
        }
        double m = median(d);
        if (m > Math.log(1.10)) {
            return true;
        }
        return d.length >= 3 && m > 2 * standardErrorOfMedian(d, m);
    }

    /**
     * Marks the plans more than {@link #DROP_SLOWER_THAN} times slower than the fastest, round for round; never the
     * fastest.
     */
    static void dropFarSlower(List<List<Long>> samples, boolean[] failed, boolean[] outrun) {
        int fastest = fastest(samples, failed);
        for (int i = 0; i < samples.size(); i++) {
            if (i != fastest && !failed[i] && !samples.get(i).isEmpty()
                    && ratio(samples, i, fastest) > DROP_SLOWER_THAN) {
                outrun[i] = true;
            }
        }
    }

    /**
     * Runs a plan untimed for {@link #SETTLE_NANOS}, and then on while the JIT compilers have compiled anything in
     * the last {@link #QUIET_NANOS}, up to {@link #MAX_EXTRA_SETTLE_NANOS} and {@code extraLeft} more: running the
     * plan is what gets its code compiled, and a timed run beside a busy compiler thread times the compiler too.
     * Returns the nanoseconds it settled past {@link #SETTLE_NANOS}.
     */
    static long settle(Runnable runOnce, long extraLeft, java.util.function.LongSupplier compileMillis) {
        long start = System.nanoTime();
        long longest = SETTLE_NANOS + Math.max(0, Math.min(MAX_EXTRA_SETTLE_NANOS, extraLeft));
        long lastCompiled = start;
        long compiled = compileMillis.getAsLong();
        long extended = -1; // when the runs past SETTLE_NANOS, for the compilers, began
        while (true) {
            runOnce.run();
            long now = System.nanoTime();
            long c = compileMillis.getAsLong();
            if (c != compiled) {
                compiled = c;
                lastCompiled = now;
            }
            if (now - start >= SETTLE_NANOS) {
                if (now - lastCompiled >= QUIET_NANOS || now - start >= longest) {
                    return extended < 0 ? 0 : now - extended;
                }
                extended = extended < 0 ? now : extended;
            }
        }
    }

    /**
     * The JIT compilers' time (summed over their threads) over which the rounds' verdict is not taken for good: a
     * compiler thread takes a core the timed plans need, and not alike for all of them. With one backend's cores
     * loaded by another application, the compilers ran on the other backend's (measured: 0.5-1.3 s of compiling in
     * 1.2-1.5 s of rounds made that backend's plan time 1.4-2x its own speed, and the loaded backend was kept).
     */
    static final double JIT_BUSY_SHARE = 0.25;

    /** Rounds shorter than this (none timed: earlier rounds decided) say nothing of the compilers. */
    static final long JIT_BUSY_MIN_ROUNDS_NANOS = 50_000_000L;

    /** Whether the compilers were busy for over {@link #JIT_BUSY_SHARE} of rounds that took {@code roundsNanos}. */
    static boolean jitBusy(long jitMillis, long roundsNanos) {
        return roundsNanos >= JIT_BUSY_MIN_ROUNDS_NANOS && jitMillis * 1_000_000.0 > JIT_BUSY_SHARE * roundsNanos;
    }

    /** Milliseconds the JIT compilers have spent so far, 0 where the JVM does not tell. */
    static long compileMillis() {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    /**
     * Runs the plan untimed: once when {@code maxMillis} is 0; else for at least half of {@code maxMillis} and
     * {@link #MIN_WARMUP_RUNS} runs, then until its latest {@link #STEADY_WINDOW} runs are no faster than the ones
     * before (within 3 %) or {@code maxMillis} have passed. No criterion sees a JIT step ahead: a Java backend sat at
     * 13 ms for its first 250 runs of BlazeFace back and then ran 5.1 ms, hence the minimum time.
     */
    static void warmUntilSteady(ExecutionPlan plan, Function<ExecutionPlan, Object> runOnce, long maxMillis) {
        long start0 = System.nanoTime();
        long deadline = start0 + maxMillis * 1_000_000L;
        long earliestStop = start0 + maxMillis * 500_000L;
        List<Long> t = new ArrayList<>();
        do {
            long start = System.nanoTime();
            runOnce.apply(plan);
            long end = System.nanoTime();
            t.add(end - start);
            int n = t.size();
            if (n >= MIN_WARMUP_RUNS && end >= earliestStop && median(t.subList(n - STEADY_WINDOW, n))
                    >= 0.97 * median(t.subList(n - 2 * STEADY_WINDOW, n - STEADY_WINDOW))) {
                break;
            }
        } while (System.nanoTime() < deadline);
    }

    /**
     * Whether the fastest plan is {@link #apart} from the runner-up (the plan closest to it, round for round): more
     * rounds would not change the choice.
     */
    static boolean clearlyDecided(List<List<Long>> samples, boolean[] failed) {
        int best = fastest(samples, failed);
        int second = -1;
        double closest = Double.POSITIVE_INFINITY;
        for (int i = 0; i < samples.size(); i++) {
            if (i == best || failed[i] || samples.get(i).isEmpty()) {
                continue;
            }
            double r = ratio(samples, i, best);
            if (second < 0 || r < closest) {
                second = i;
                closest = r;
            }
        }
        return second < 0 || apart(samples, best, second);
    }

    /** {@code 1.2533 * sigma / sqrt(n)} with sigma estimated as {@code 1.4826 * MAD}: robust to the odd slow round. */
    private static double standardErrorOfMedian(double[] values, double median) {
        double[] dev = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            dev[i] = Math.abs(values[i] - median);
        }
        return 1.2533 * 1.4826 * median(dev) / Math.sqrt(values.length);
    }

    static double median(double[] values) {
        double[] t = values.clone();
        Arrays.sort(t);
        return t.length == 0 ? Double.NaN
                : t.length % 2 == 1 ? t[t.length / 2] : (t[t.length / 2 - 1] + t[t.length / 2]) / 2.0;
    }

    static double median(List<Long> values) {
        return median(values.stream().mapToDouble(Long::doubleValue).toArray());
    }
}
