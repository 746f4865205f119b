package org.sparoa.shell.internal;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.sparoa.sim.BoardProfiles;

/** Completes the simulated boards, {@code board:mode}. */
@Service
public class BoardNameCompleter implements Completer {
    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter delegate = new StringsCompleter();
        delegate.getStrings().addAll(BoardProfiles.all().keySet());
        return delegate.complete(session, commandLine, candidates);
    }
}
