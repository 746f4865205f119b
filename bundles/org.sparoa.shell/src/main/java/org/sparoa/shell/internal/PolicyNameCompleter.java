package org.sparoa.shell.internal;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.sparoa.api.SchedulingPolicy;

/** Completes the names of installed scheduling policies. */
@Service
public class PolicyNameCompleter implements Completer {
    @Reference
    private BundleContext context;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter delegate = new StringsCompleter();
        try {
            for (ServiceReference<SchedulingPolicy> r : context.getServiceReferences(SchedulingPolicy.class, null)) {
                Object name = r.getProperty(SchedulingPolicy.PROP_NAME);
                if (name != null) {
                    delegate.getStrings().add(name.toString());
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        delegate.getStrings().add(org.sparoa.api.SchedulingPolicy.FIRST_CAPABLE);
        return delegate.complete(session, commandLine, candidates);
    }
}
