package org.sparoa.shell.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.sparoa.api.SchedulingPolicy;
import org.sparoa.api.SparoaException;

@Service
@Command(scope = "sparoa", name = "policy", description = "Sets the default scheduling policy (persisted through ConfigAdmin)")
public class PolicyCommand implements Action {
    @Reference
    private BundleContext context;

    @Reference
    private ConfigurationAdmin configAdmin;

    @Argument(index = 0, name = "name", description = "Policy name (see sparoa:policies)", required = true)
    @Completion(PolicyNameCompleter.class)
    private String name;

    @Override
    public Object execute() throws IOException, InvalidSyntaxException {
        List<String> installed = new ArrayList<>(List.of(EngineConfig.BUILT_IN_POLICY));
        for (ServiceReference<SchedulingPolicy> r : context.getServiceReferences(SchedulingPolicy.class, null)) {
            installed.add(String.valueOf(r.getProperty(SchedulingPolicy.PROP_NAME)));
        }
        if (!installed.contains(name)) {
            throw new SparoaException("unknown policy '" + name + "'; installed: " + installed);
        }
        String before = EngineConfig.defaultPolicy(configAdmin);
        EngineConfig.setDefaultPolicy(configAdmin, name);
        System.out.println("Default policy: " + before + " -> " + name);
        return null;
    }
}
