package org.sparoa.shell.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.sparoa.api.DeviceBackend;

/** The registered backend services with their properties, best ranked first. */
final class BackendServices {
    private BackendServices() {
    }

    record Entry(String id, String kind, int ranking, long bundleId, DeviceBackend backend) {
    }

    static List<Entry> list(BundleContext context) {
        List<Entry> out = new ArrayList<>();
        try {
            for (ServiceReference<DeviceBackend> r : context.getServiceReferences(DeviceBackend.class, null)) {
                DeviceBackend b = context.getService(r);
                if (b == null) {
                    continue;
                }
                try {
                    Object id = r.getProperty(DeviceBackend.PROP_ID);
                    Object kind = r.getProperty(DeviceBackend.PROP_KIND);
                    Object ranking = r.getProperty("service.ranking");
                    out.add(new Entry(id == null ? b.id() : id.toString(),
                            kind == null ? b.kind().propertyValue() : kind.toString(),
                            ranking instanceof Integer i ? i : 0, r.getBundle().getBundleId(), b));
                } finally {
                    context.ungetService(r);
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        out.sort(Comparator.comparingInt((Entry e) -> -e.ranking()).thenComparing(Entry::id));
        return out;
    }
}
