package org.sparoa.engine.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.api.BackendException;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Placement;
import org.sparoa.api.RunOptions;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SchedulingPolicy;
import org.sparoa.api.SparoaException;
import org.sparoa.api.UnsupportedOperatorException;

/**
 * Decides where every operator of a request runs: pinned to one backend, or by a policy that is given a time
 * budget and whose answer is validated. A policy that throws, overruns or answers nonsense is replaced by the
 * built-in {@link FirstCapablePolicy}, with the reason logged and reported; the request still runs.
 */
final class PlacementResolver {
    private static final Logger LOG = LoggerFactory.getLogger(PlacementResolver.class);
    private final FirstCapablePolicy fallback = new FirstCapablePolicy();
    private final ExecutorService policyExecutor;

    PlacementResolver(ExecutorService policyExecutor) {
        this.policyExecutor = policyExecutor;
    }

    ResolvedPlacement resolve(Model model, List<LiveBackendView> backends, SchedulingPolicy policy, String policyName,
                              RunOptions options, long timeoutMillis, SchedulingContext context) {
        return resolve(model, backends, policy, policyName, options, timeoutMillis, context, false);
    }

    /**
     * As {@link #resolve}; with {@code candidates}, the policy is asked for {@link SchedulingPolicy#candidates}
     * instead of one placement: the first is validated as the policy's plan, the others are kept as alternatives
     * where valid (an invalid alternative is dropped and logged; it does not make the engine fall back).
     */
    ResolvedPlacement resolve(Model model, List<LiveBackendView> backends, SchedulingPolicy policy, String policyName,
                              RunOptions options, long timeoutMillis, SchedulingContext context, boolean candidates) {
        if (backends.isEmpty()) {
            throw new BackendException("no backend is live: install or start a backend bundle");
        }
        if (options.backend() != null) {
            return new ResolvedPlacement(pinned(model, backends, options.backend()), "pinned:" + options.backend(), null,
                    List.of());
        }
        String reason;
        if (policy == null) {
            reason = policyName == null || policyName.equals(FirstCapablePolicy.NAME) ? null
                    : "policy '" + policyName + "' is not installed";
        } else {
            try {
                List<Placement> all = callWithBudget(policy, context, timeoutMillis, candidates);
                Placement p = all.isEmpty() ? null : all.get(0);
                String problem = validate(model, backends, p);
                if (problem == null) {
                    return new ResolvedPlacement(p, policyName, null,
                            validAlternatives(model, backends, policyName, all));
                }
                reason = "policy '" + policyName + "' returned an invalid placement: " + problem;
            } catch (TimeoutException e) {
                reason = "policy '" + policyName + "' exceeded its " + timeoutMillis + " ms budget";
            } catch (ExecutionException e) {
                reason = "policy '" + policyName + "' failed: " + e.getCause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SparoaException("interrupted while scheduling " + model.id());
            }
        }
        if (reason != null) {
            LOG.warn("Falling back to {} for {}: {}", FirstCapablePolicy.NAME, model.id(), reason);
        }
        return new ResolvedPlacement(fallback.place(context), FirstCapablePolicy.NAME, reason, List.of());
    }

    /** The valid placements after the first, without repeats; each invalid one logged. */
    private static List<Placement> validAlternatives(Model model, List<LiveBackendView> backends, String policyName,
                                                     List<Placement> all) {
        List<Placement> out = new ArrayList<>();
        for (Placement alt : all.subList(1, all.size())) {
            String problem = validate(model, backends, alt);
            if (problem != null) {
                LOG.warn("Candidate of policy '{}' for {} dropped: {}", policyName, model.id(), problem);
            } else if (!alt.equals(all.get(0)) && !out.contains(alt)) {
                out.add(alt);
            }
        }
        return List.copyOf(out);
    }

    private List<Placement> callWithBudget(SchedulingPolicy policy, SchedulingContext context, long timeoutMillis,
                                           boolean candidates)
            throws TimeoutException, ExecutionException, InterruptedException {
        Future<List<Placement>> f = policyExecutor.submit(() -> {
            if (!candidates) {
                return java.util.Collections.singletonList(policy.place(context));
            }
            List<Placement> all = policy.candidates(context);
            return all == null ? List.<Placement>of() : new ArrayList<>(all);
        });
        try {
            return f.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } finally {
            f.cancel(true);
        }
    }

    /** Every operator on one backend; an unknown backend or one that lacks an operator is refused, naming it. */
    static Placement pinned(Model model, List<LiveBackendView> backends, String backendId) {
        LiveBackendView b = backends.stream().filter(v -> v.id().equals(backendId)).findFirst()
                .orElseThrow(() -> new BackendException("unknown backend '" + backendId + "'; live backends: "
                        + backends.stream().map(LiveBackendView::id).toList()));
        Map<String, String> placement = new HashMap<>();
        List<String> missing = new ArrayList<>();
        for (Node n : model.graph().nodes()) {
            if (!b.supports(n)) {
                missing.add(n.opType() + (n.domain().isEmpty() ? "" : "@" + n.domain()));
            }
            placement.put(n.name(), backendId);
        }
        if (!missing.isEmpty()) {
            throw new UnsupportedOperatorException("backend " + backendId + " cannot run " + model.id()
                    + ": unsupported operators " + missing.stream().distinct().sorted().toList());
        }
        return new Placement(placement);
    }

    /** Null when every operator is placed on a live backend that supports it, else what is wrong. */
    static String validate(Model model, List<LiveBackendView> backends, Placement placement) {
        if (placement == null) {
            return "no placement";
        }
        Map<String, LiveBackendView> byId = new HashMap<>();
        backends.forEach(b -> byId.put(b.id(), b));
        for (Node n : model.graph().nodes()) {
            String id = placement.backendOf(n.name());
            if (id == null) {
                return "operator " + n.name() + " is not placed";
            }
            LiveBackendView b = byId.get(id);
            if (b == null) {
                return "operator " + n.name() + " is placed on " + id + ", which is not live";
            }
            if (!b.supports(n)) {
                return "operator " + n.name() + " (" + n.opType() + ") is placed on " + id + ", which cannot run it";
            }
        }
        return null;
    }
}
