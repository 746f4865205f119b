package org.sparoa.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.sparoa.api.Model;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.TensorInfo;

@Service
@Command(scope = "sparoa", name = "models", description = "Lists the loaded models")
public class ModelsCommand implements Action {
    @Reference
    private ModelRegistry models;

    @Option(name = "--no-format", description = "Plain output without table borders")
    private boolean noFormat;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable().emptyTableText("no model loaded; load one with sparoa:load FILE");
        table.column("Id");
        table.column("Operators").alignRight();
        table.column("Weights").alignRight();
        table.column("Inputs");
        table.column("Outputs");
        table.column("SHA-256");
        table.column("Source");
        for (Model m : models.list()) {
            table.addRow().addContent(m.id(), m.operatorCount(), m.graph().weights().size(),
                    join(m.graph().inputs()), join(m.graph().outputs()), m.sha256().substring(0, 12),
                    m.source().map(Object::toString).orElse("-"));
        }
        table.print(System.out, !noFormat);
        return null;
    }

    private static String join(java.util.List<TensorInfo> infos) {
        return String.join(", ", infos.stream().map(TensorInfo::toString).toList());
    }
}
