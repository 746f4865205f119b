package org.sparoa.shell.internal;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.InferenceService;
import org.sparoa.api.InvalidInputException;
import org.sparoa.api.Model;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.RunOptions;
import org.sparoa.api.Tensor;

import com.google.gson.GsonBuilder;

@Service
@Command(scope = "sparoa", name = "trace",
        description = "Runs a model and writes its segments and hand-offs as a Chrome/Perfetto trace")
public class TraceCommand implements Action {
    @Reference
    private ModelRegistry models;

    @Reference
    private InferenceService inference;

    @Argument(index = 0, name = "model", description = "Loaded model id, or path of an .onnx file", required = true)
    @Completion(ModelIdCompleter.class)
    private String modelRef;

    @Option(name = "--out", description = "Trace file to write (Chrome trace-event JSON)", required = true)
    private String out;

    @Option(name = "--iterations", description = "Requests to trace, one after the other (default 3)")
    private int iterations = 3;

    @Option(name = "--policy", description = "Scheduling policy")
    @Completion(PolicyNameCompleter.class)
    private String policy;

    @Option(name = "--segments", description = "Cut into N segments over the live backends (policy partition)")
    private int segments;

    @Option(name = "--backend", description = "Run every operator on this backend")
    @Completion(BackendIdCompleter.class)
    private String backend;

    @Option(name = "--svg", description = "Also draw the last request as an SVG timeline (a lane per backend)")
    private String svg;

    @Option(name = "--input", description = "name=file.pb (repeatable)", multiValued = true)
    private List<String> inputSpecs;

    @Option(name = "--shape", description = "name=1x3x224x224 (repeatable)", multiValued = true)
    private List<String> shapeSpecs;

    @Override
    public Object execute() throws IOException {
        CommandSupport.checkRange("--iterations", iterations, 1, CommandSupport.MAX_ITERATIONS);
        CommandSupport.checkOutputFile("--out", out);
        Model model = CommandSupport.resolveModel(models, modelRef);
        Map<String, Tensor> inputs = CommandSupport.inputsFor(model, inputSpecs, shapeSpecs, 42);
        RunOptions options = CommandSupport.runOptions(backend, policy, segments);
        ChromeTrace trace = new ChromeTrace();
        if (svg != null) {
            CommandSupport.checkOutputFile("--svg", svg);
        }
        long base = System.nanoTime();
        InferenceResult last = null;
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime() - base;
            last = inference.infer(model.id(), inputs, options);
            trace.addRequest(i, start, last);
        }
        if (svg != null) {
            Path picture = Path.of(svg);
            Files.createDirectories(picture.toAbsolutePath().getParent());
            Files.writeString(picture, TraceTimelineSvg.render(model.id() + ", request " + iterations, last),
                    StandardCharsets.UTF_8);
            System.out.println("Wrote the last request's timeline to " + picture.toAbsolutePath());
        }
        Path file = Path.of(out);
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            new GsonBuilder().create().toJson(trace.document(), w);
        }
        System.out.println("Wrote " + trace.eventCount() + " trace events of " + iterations + " request(s) to "
                + file.toAbsolutePath() + " (open in ui.perfetto.dev or chrome://tracing)");
        return null;
    }
}
