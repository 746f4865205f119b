package org.sparoa.shell.internal;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.osgi.framework.BundleContext;

/** Completes the ids of live backends. */
@Service
public class BackendIdCompleter implements Completer {
    @Reference
    private BundleContext context;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter delegate = new StringsCompleter();
        BackendServices.list(context).forEach(b -> delegate.getStrings().add(b.id()));
        return delegate.complete(session, commandLine, candidates);
    }
}
