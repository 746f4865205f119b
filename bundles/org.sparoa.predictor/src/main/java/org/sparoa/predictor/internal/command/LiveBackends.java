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

    /** {@code sparse-cpu} against the first live GPU backend, or null when no GPU backend is registered. */
    static BackendPair gpuPair(BundleContext context) {
        List<DeviceBackend> live = new ArrayList<>();
        try {
            for (ServiceReference<DeviceBackend> ref : context.getServiceReferences(DeviceBackend.class, null)) {
                DeviceBackend b = context.getService(ref);
                if (b != null) {
                    try {
                        live.add(b);
                    } finally {
                        context.ungetService(ref);
                    }
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        return Descriptors.liveGpuPair(live);
    }
}
