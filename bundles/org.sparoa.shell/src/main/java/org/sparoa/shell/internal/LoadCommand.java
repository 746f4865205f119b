package org.sparoa.shell.internal;

import java.nio.file.Path;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.FileCompleter;
import org.sparoa.api.Model;
import org.sparoa.api.ModelRegistry;

@Service
@Command(scope = "sparoa", name = "load", description = "Loads an ONNX model file")
public class LoadCommand implements Action {
    @Reference
    private ModelRegistry models;

    @Argument(index = 0, name = "file", description = "Path of the .onnx file", required = true)
    @Completion(FileCompleter.class)
    private String file;

    @Option(name = "--id", description = "Id to load it under (default: the file name without .onnx)")
    private String id;

    @Option(name = "--replace", description = "Replace the model loaded under this id (by default a taken id is refused)")
    private boolean replace;

    @Override
    public Object execute() {
        Model m = replace ? models.replace(id, Path.of(file)) : models.load(id, Path.of(file));
        System.out.println("Loaded " + m.id() + ": " + m.operatorCount() + " operators, " + m.graph().weights().size()
                + " weight tensors, inputs " + m.graph().inputs());
        return null;
    }
}
