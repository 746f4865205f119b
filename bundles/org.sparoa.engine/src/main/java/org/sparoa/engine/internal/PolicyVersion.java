package org.sparoa.engine.internal;

import java.util.Map;

import org.sparoa.api.SchedulingPolicy;

/**
 * The version of a policy service that its cached plans depend on: the symbolic name and version of the bundle
 * that provides it (inside OSGi) and the policy's optional {@value org.sparoa.api.SchedulingPolicy#PROP_VERSION} property.
 * Outside OSGi (tools, tests) only the property counts.
 */
final class PolicyVersion {
    /** Where the engine keeps the resolved version among a bound policy's properties. */
    static final String RESOLVED = ".sparoa.policy.resolvedVersion";
    private static final boolean OSGI = present("org.osgi.framework.FrameworkUtil");

    private PolicyVersion() {
    }

    static String of(Ranked<SchedulingPolicy> entry) {
        Object v = entry.properties().get(RESOLVED);
        return v == null ? "" : v.toString();
    }

    static String resolve(SchedulingPolicy policy, Map<String, ?> props) {
        String bundle = OSGI ? BundleVersion.of(policy.getClass()) : "";
        Object declared = props.get(org.sparoa.api.SchedulingPolicy.PROP_VERSION);
        return declared == null ? bundle : bundle + "+" + declared;
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, PolicyVersion.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
