package org.sparoa.engine.internal;

import java.util.Map;

import org.sparoa.api.Model;

/**
 * What a cached plan depends on: the model instance (a reload is a new instance), the live backend set, the
 * policy, its service (a re-registered policy is a new service) and its version (bundle name and version, plus the
 * policy's own {@code sparoa.policy.version} property), pinning, the policy options, intermediate capture,
 * whether the plan was measured against single backends, and, for a policy that reads the backends' live state, their
 * load classes ({@link LoadClasses}; empty otherwise).
 */
record PlanKey(Model model, String backendSet, String policy, long policyServiceId, String policyVersion,
               String pinnedBackend, Map<String, String> options, boolean capture, boolean measured,
               String loadClasses) {

    @Override
    public boolean equals(Object o) {
        return o instanceof PlanKey k && model == k.model && backendSet.equals(k.backendSet)
                && java.util.Objects.equals(policy, k.policy) && policyServiceId == k.policyServiceId
                && policyVersion.equals(k.policyVersion)
                && java.util.Objects.equals(pinnedBackend, k.pinnedBackend) && options.equals(k.options)
                && capture == k.capture && measured == k.measured && loadClasses.equals(k.loadClasses);
    }

    @Override
    public int hashCode() {
        // by hand: Objects.hash boxes and allocates on every request
        int h = System.identityHashCode(model);
        h = 31 * h + backendSet.hashCode();
        h = 31 * h + java.util.Objects.hashCode(policy);
        h = 31 * h + Long.hashCode(policyServiceId);
        h = 31 * h + policyVersion.hashCode();
        h = 31 * h + java.util.Objects.hashCode(pinnedBackend);
        h = 31 * h + options.hashCode();
        h = 31 * h + (capture ? 1 : 0);
        h = 31 * h + (measured ? 2 : 0);
        return 31 * h + loadClasses.hashCode();
    }
}
