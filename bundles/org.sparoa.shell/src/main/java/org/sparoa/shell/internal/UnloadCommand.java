package org.sparoa.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.UnknownModelException;

@Service
@Command(scope = "sparoa", name = "unload", description = "Unloads a model")
public class UnloadCommand implements Action {
    @Reference
    private ModelRegistry models;

    @Argument(index = 0, name = "model", description = "Model id", required = true)
    @Completion(ModelIdCompleter.class)
    private String id;

    @Override
    public Object execute() {
        if (!models.unload(id)) {
            throw new UnknownModelException("unknown model '" + id + "'");
        }
        System.out.println("Unloaded " + id);
        return null;
    }
}
