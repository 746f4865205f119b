package org.sparoa.shell.internal;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.table.ShellTable;
import org.sparoa.api.InferenceService;
import org.sparoa.api.InvalidInputException;
import org.sparoa.api.Model;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.RequestCancelledException;
import org.sparoa.api.RunOptions;
import org.sparoa.api.SegmentPlan;
import org.sparoa.api.Tensor;
import org.sparoa.onnx.TensorProtoIO;

import com.google.gson.GsonBuilder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@Service
@Command(scope = "sparoa", name = "run", description = "Runs a model through the platform and reports its latency")
public class RunCommand implements Action {
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Reference
    ModelRegistry models;

    /** The shell session that runs this command: a run stops when its client is gone. */
    @Reference(optional = true)
    Session session;

    @Reference
    InferenceService inference;

    @Reference(optional = true)
    ConfigurationAdmin configAdmin;

    @Argument(index = 0, name = "model", description = "Loaded model id, or path of an .onnx file", required = true)
    @Completion(ModelIdCompleter.class)
    String modelRef;

    @Option(name = "--iterations", aliases = "-n", description = "Timed runs (default 10)")
    int iterations = 10;

    @Option(name = "--warmup", description = "Untimed runs first (default 3)")
    int warmup = 3;

    @Option(name = "--backend", description = "Run every operator on this backend")
    @Completion(BackendIdCompleter.class)
    String backend;

    @Option(name = "--policy", description = "Scheduling policy (default: the configured one)")
    @Completion(PolicyNameCompleter.class)
    String policy;

    @Option(name = "--segments", description = "Cut the model into N segments dealt over the live backends (policy partition)")
    int segments;

    @Option(name = "--timeout", description = "Seconds after which the run stops at its next segment boundary")
    long timeoutSeconds;

    @Option(name = "--input", description = "name=file.pb: an input as an ONNX TensorProto file (repeatable)", multiValued = true)
    List<String> inputSpecs;

    @Option(name = "--shape", description = "name=1x3x224x224: shape of a random input with dynamic dimensions (repeatable)", multiValued = true)
    List<String> shapeSpecs;

    @Option(name = "--seed", description = "Seed of the random inputs (default 42)")
    long seed = 42;

    @Option(name = "--save-outputs", description = "Directory to write output_<i>.pb files to, in graph output order")
    String saveOutputs;

    @Option(name = "--json", description = "File to write latency, iterations and the plan to, as JSON")
    String json;

    @Option(name = "--compare", description = "Also time plain ONNX Runtime on the same inputs, alternating")
    boolean compare;

    @Option(name = "--threads", description = "Intra-op threads of the plain ONNX Runtime comparison (default: cores)")
    int threads = Runtime.getRuntime().availableProcessors();

    /** More intra-op threads than this is a typing error, not a machine. */
    static final int MAX_THREADS = 1024;

    @Option(name = "--no-format", description = "Plain output without table borders")
    boolean noFormat;

    @Override
    public Object execute() throws IOException {
        CommandSupport.checkRange("--iterations", iterations, 1, CommandSupport.MAX_ITERATIONS);
        CommandSupport.checkRange("--warmup", warmup, 0, CommandSupport.MAX_ITERATIONS);
        CommandSupport.checkRange("--threads", threads, 1, MAX_THREADS);
        CommandSupport.checkRange("--timeout", timeoutSeconds, 0, Long.MAX_VALUE / 2_000_000_000L);
        CommandSupport.checkOutputFolder("--save-outputs", saveOutputs);
        CommandSupport.checkOutputFile("--json", json);
        CommandSupport.Resolved resolved = CommandSupport.resolve(models, modelRef);
        Model model = resolved.model();
        SideBySideRun.Outcome o;
        try {
            Map<String, Tensor> inputs = CommandSupport.inputsFor(model, inputSpecs, shapeSpecs, seed,
                    EngineConfig.maxInputElements(configAdmin));
            RunOptions options = CommandSupport.runOptions(backend, policy, segments);
            if (timeoutSeconds > 0) {
                options = options.withDeadline(Instant.now().plusSeconds(timeoutSeconds));
            }
            try (ClientWatch watch = ClientWatch.of(session)) {
                o = SideBySideRun.run(inference, model, inputs, options, warmup, iterations, threads, compare);
            }
        } catch (RequestCancelledException e) {
            LOG.info("sparoa:run cancelled: {}", e.getMessage());
            if (resolved.loadedHere()) {
                models.unload(model.id());
            }
            throw e;
        } catch (RuntimeException | IOException e) {
            if (resolved.loadedHere()) {
                models.unload(model.id()); // a failed run PATH leaves nothing registered
            }
            throw e;
        }

        ShellTable table = new ShellTable();
        table.column("Model");
        table.column("Operators").alignRight();
        table.column("Segments").alignRight();
        table.column("Backend per segment");
        table.column("p50 ms").alignRight();
        table.column("p90 ms").alignRight();
        table.column("p99 ms").alignRight();
        table.column("mean ms").alignRight();
        if (compare) {
            table.column("ORT p50 ms").alignRight();
            table.column("SparOA/ORT").alignRight();
            table.column("max |diff|").alignRight();
        }
        List<Object> row = new ArrayList<>(List.of(model.id(), model.operatorCount(), o.last().plan().segments().size(),
                CommandSupport.describeSegments(o.last().plan()), CommandSupport.ms(o.sparoa().p50()),
                CommandSupport.ms(o.sparoa().p90()), CommandSupport.ms(o.sparoa().p99()),
                CommandSupport.ms(o.sparoa().mean())));
        if (compare) {
            row.add(CommandSupport.ms(o.ort().p50()));
            row.add(String.format("%.3f", o.ratio()));
            row.add(String.format("%.2g", o.maxAbsDiffToOrt()));
        }
        table.addRow().addContent(row);
        table.print(System.out, !noFormat);
        if (o.last().plan().fallbackReason() != null) {
            System.out.println("Note: fell back to " + o.last().plan().policy() + ": " + o.last().plan().fallbackReason());
        }
        if (o.duringTimed().jitNotable(o.timedNanos())) {
            System.out.printf(Locale.ROOT, "Note: the JVM compiled code for %d ms during the %.0f ms of timed runs: the "
                    + "figures are from a JVM still warming up; a longer --warmup steadies them%n",
                    o.duringTimed().jitMillis(), o.timedNanos() / 1e6);
        }
        if (saveOutputs != null) {
            saveOutputs(o.last().outputs(), Path.of(saveOutputs));
        }
        if (json != null) {
            writeJson(model, o, Path.of(json));
        }
        return null;
    }

    private Map<String, Tensor> inputs(Model model) {
        return CommandSupport.inputsFor(model, inputSpecs, shapeSpecs, seed);
    }

    private static void saveOutputs(Map<String, Tensor> outputs, Path dir) throws IOException {
        Files.createDirectories(dir);
        int i = 0;
        for (Map.Entry<String, Tensor> e : outputs.entrySet()) {
            TensorProtoIO.write(dir.resolve("output_" + i++ + ".pb"), e.getKey(), e.getValue());
        }
        System.out.println("Saved " + outputs.size() + " output(s) to " + dir.toAbsolutePath());
    }

    private void writeJson(Model model, SideBySideRun.Outcome o, Path file) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("model", model.id());
        doc.put("operators", model.operatorCount());
        doc.put("iterations", iterations);
        doc.put("warmup", warmup);
        doc.put("policy", o.last().plan().policy());
        doc.put("fallbackReason", o.last().plan().fallbackReason());
        doc.put("latencyMs", latency(o.sparoa()));
        Map<String, Object> jvm = new LinkedHashMap<>();
        jvm.put("timedWallMs", o.timedNanos() / 1e6);
        jvm.put("jitMs", o.duringTimed().jitMillis());
        jvm.put("gcMs", o.duringTimed().gcMillis());
        jvm.put("gcCount", o.duringTimed().gcCount());
        doc.put("jvmDuringTimedRuns", jvm);
        List<Map<String, Object>> segs = new ArrayList<>();
        for (SegmentPlan s : o.last().plan().segments()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", s.index());
            m.put("backend", s.backendId());
            m.put("operators", s.nodeNames().size());
            segs.add(m);
        }
        doc.put("segments", segs);
        if (o.ort() != null) {
            doc.put("plainOrtLatencyMs", latency(o.ort()));
            doc.put("ratioP50", o.ratio());
            doc.put("maxAbsDiffToPlainOrt", o.maxAbsDiffToOrt());
        }
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(doc, w);
        }
        System.out.println("Wrote " + file.toAbsolutePath());
    }

    private static Map<String, Object> latency(LatencyStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("p50", s.p50());
        m.put("p90", s.p90());
        m.put("p99", s.p99());
        m.put("mean", s.mean());
        return m;
    }
}
