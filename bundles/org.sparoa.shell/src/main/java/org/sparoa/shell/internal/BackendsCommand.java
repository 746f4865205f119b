package org.sparoa.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.osgi.framework.BundleContext;
import org.sparoa.api.DeviceState;

@Service
@Command(scope = "sparoa", name = "backends", description = "Lists the live device backends")
public class BackendsCommand implements Action {
    @Reference
    private BundleContext context;

    @Option(name = "--no-format", description = "Plain output without table borders")
    private boolean noFormat;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable().emptyTableText("no backend is live: install a backend feature");
        table.column("Id");
        table.column("Kind");
        table.column("State");
        table.column("Queue").alignRight();
        table.column("Ops").alignRight();
        table.column("Ranking").alignRight();
        table.column("Bundle").alignRight();
        // what the backend says of its device: a GPU's name, compute capability, memory, driver, live readings
        table.column("Detail");
        for (BackendServices.Entry e : BackendServices.list(context)) {
            DeviceState s = e.backend().state();
            table.addRow().addContent(e.id(), e.kind(), s.available() ? "available" : "unavailable", s.queueDepth(),
                    e.backend().supportedOperators().size(), e.ranking(), e.bundleId(), detail(s, e.kind()));
        }
        table.print(System.out, !noFormat);
        return null;
    }

    /** The backend's detail, with the live readings it knows (a GPU's free memory, utilisation, power, temperature). */
    static String detail(DeviceState s, Object kind) {
        StringBuilder b = new StringBuilder(s.detail() == null ? "" : s.detail());
        if ("gpu".equalsIgnoreCase(String.valueOf(kind)) && s.freeMemoryBytes() >= 0) {
            b.append(String.format(java.util.Locale.ROOT, "; %d MiB free", s.freeMemoryBytes() >> 20));
        }
        if (s.utilisation() >= 0) {
            b.append(String.format(java.util.Locale.ROOT, "; util %.0f %%", 100 * s.utilisation()));
        }
        if (!Double.isNaN(s.powerWatts())) {
            b.append(String.format(java.util.Locale.ROOT, "; %.1f W", s.powerWatts()));
        }
        if (!Double.isNaN(s.temperatureCelsius())) {
            b.append(String.format(java.util.Locale.ROOT, "; %.0f C", s.temperatureCelsius()));
        }
        return b.toString();
    }
}
