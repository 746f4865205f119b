package org.sparoa.itests;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;

/** The symbolic names of the bundles that stop while it listens, in the order they stopped. */
final class StoppedBundles implements AutoCloseable {
    private final BundleContext context;
    private final List<String> names = new CopyOnWriteArrayList<>();
    private final BundleListener listener = e -> {
        if (e.getType() == BundleEvent.STOPPED) {
            names.add(e.getBundle().getSymbolicName());
        }
    };

    private StoppedBundles(BundleContext context) {
        this.context = context;
    }

    /** Starts listening; {@link #close()} stops. */
    static StoppedBundles listen(BundleContext context) {
        StoppedBundles s = new StoppedBundles(context);
        context.addBundleListener(s.listener);
        return s;
    }

    List<String> names() {
        return List.copyOf(names);
    }

    @Override
    public void close() {
        context.removeBundleListener(listener);
    }
}
