package org.sparoa.shell.internal;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.sparoa.api.Model;
import org.sparoa.api.ModelRegistry;

/** Completes the ids of loaded models. */
@Service
public class ModelIdCompleter implements Completer {
    @Reference
    private ModelRegistry models;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter delegate = new StringsCompleter();
        models.list().stream().map(Model::id).forEach(delegate.getStrings()::add);
        return delegate.complete(session, commandLine, candidates);
    }
}
