package org.sparoa.engine.internal;

import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;

/** Loaded only where the OSGi framework API is present (see {@link PolicyVersion}). */
final class BundleVersion {
    private BundleVersion() {
    }

    /** {@code symbolic-name/version} of the bundle that loaded the class; empty when no bundle did. */
    static String of(Class<?> type) {
        Bundle b = FrameworkUtil.getBundle(type);
        return b == null ? "" : b.getSymbolicName() + "/" + b.getVersion();
    }
}
