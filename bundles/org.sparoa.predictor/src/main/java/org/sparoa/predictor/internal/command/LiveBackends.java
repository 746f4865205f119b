package org.sparoa.predictor.internal.command;

import java.util.ArrayList;
import java.util.List;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.predict.BackendPair;
import org.sparoa.predictor.Descriptors;

/** The device backends registered now, as the commands that measure on them need to know them. */
final class LiveBackends {
    private LiveBackends() {
    }

    /**
     * {@code sparse-cpu} against the first live GPU backend, or null when no GPU backend is registered. The backends
     * are held only while the pair is chosen.
     */
    static BackendPair gpuPair(BundleContext context) {
        ServiceReference<DeviceBackend>[] refs;
        try {
            @SuppressWarnings("unchecked")
            ServiceReference<DeviceBackend>[] found = (ServiceReference<DeviceBackend>[]) context.getServiceReferences(
                    DeviceBackend.class.getName(), null);
            refs = found;
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        if (refs == null) {
            return null;
        }
        List<ServiceReference<DeviceBackend>> held = new ArrayList<>();
        List<DeviceBackend> live = new ArrayList<>();
        try {
            for (ServiceReference<DeviceBackend> ref : refs) {
                DeviceBackend b = context.getService(ref);
                if (b != null) {
                    held.add(ref);
                    live.add(b);
                }
            }
            return Descriptors.liveGpuPair(live);
        } finally {
            held.forEach(context::ungetService);
        }
    }
}
