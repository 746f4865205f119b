package org.sparoa.shell.internal;

import java.io.IOException;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.sparoa.api.SchedulingPolicy;

@Service
@Command(scope = "sparoa", name = "policies", description = "Lists the installed scheduling policies")
public class PoliciesCommand implements Action {
    @Reference
    private BundleContext context;

    @Reference
    private ConfigurationAdmin configAdmin;

    @Option(name = "--no-format", description = "Plain output without table borders")
    private boolean noFormat;

    @Override
    public Object execute() throws IOException, InvalidSyntaxException {
        String current = EngineConfig.defaultPolicy(configAdmin);
        ShellTable table = new ShellTable();
        table.column("Name");
        table.column("Bundle");
        table.column("Version");
        table.column("Ranking").alignRight();
        table.column("Default");
        table.addRow().addContent(EngineConfig.BUILT_IN_POLICY, "org.sparoa.engine (built in)", "-", "-",
                current.equals(EngineConfig.BUILT_IN_POLICY) ? "*" : "");
        for (ServiceReference<SchedulingPolicy> r : context.getServiceReferences(SchedulingPolicy.class, null)) {
            Object name = r.getProperty(SchedulingPolicy.PROP_NAME);
            Object ranking = r.getProperty("service.ranking");
            table.addRow().addContent(name, r.getBundle().getSymbolicName(), r.getBundle().getVersion(),
                    ranking == null ? 0 : ranking, current.equals(String.valueOf(name)) ? "*" : "");
        }
        table.print(System.out, !noFormat);
        return null;
    }
}
