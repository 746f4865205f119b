package org.sparoa.shell.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.sparoa.api.InvalidInputException;
import org.sparoa.api.Model;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.PlanDescription;
import org.sparoa.api.RunOptions;
import org.sparoa.api.SegmentPlan;
import org.sparoa.api.Shapes;
import org.sparoa.api.Tensor;
import org.sparoa.api.UnknownModelException;
import org.sparoa.api.RandomInputs;
import org.sparoa.engine.ResourceLimits;
import org.sparoa.onnx.OnnxModels;
import org.sparoa.onnx.TensorProtoIO;

/** What several commands share: resolving a model argument, parsing --input and --shape, describing plans. */
public final class CommandSupport {
    private CommandSupport() {
    }

    /** A loaded model id, or a path to an .onnx file, loaded under its file name. */
    public static Model resolveModel(ModelRegistry models, String ref) {
        return resolve(models, ref).model();
    }

    /** A model a command runs, and whether the command loaded it (so that a failed command can unload it again). */
    public record Resolved(Model model, boolean loadedHere) {
    }

    public static Resolved resolve(ModelRegistry models, String ref) {
        if (models.get(ref).isPresent()) {
            return new Resolved(models.require(ref), false);
        }
        Path p = Path.of(ref);
        if (Files.exists(p)) {
            boolean had = models.get(OnnxModels.defaultId(p)).isPresent();
            Model m = models.load(null, p);
            return new Resolved(m, !had);
        }
        throw new UnknownModelException("unknown model '" + ref + "': not a loaded model id and no such file; loaded: "
                + models.list().stream().map(Model::id).toList());
    }

    /** The largest number of timed or warm-up runs one command takes: their latencies are kept for percentiles. */
    public static final int MAX_ITERATIONS = 1_000_000;

    /** Refuses a count option out of {@code [min, max]}, naming the option. */
    public static void checkRange(String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw new InvalidInputException(option + " must be between " + min + " and " + max + ", got " + value);
        }
    }

    /** Refuses an output folder option that names an existing file, before anything runs. */
    public static void checkOutputFolder(String option, String folder) {
        if (folder != null && Files.exists(Path.of(folder)) && !Files.isDirectory(Path.of(folder))) {
            throw new InvalidInputException(option + " " + folder + " is an existing file; give a folder (it is"
                    + " created if missing)");
        }
    }

    /** Refuses an output file option that names a folder, before anything runs. */
    public static void checkOutputFile(String option, String file) {
        if (file != null && Files.isDirectory(Path.of(file))) {
            throw new InvalidInputException(option + " " + file + " is a folder; give a file name");
        }
    }

    /** {@code name=1x3x224x224} pairs. */
    public static Map<String, long[]> parseShapes(List<String> specs) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        if (specs != null) {
            for (String s : specs) {
                String[] kv = split(s, "--shape", "name=1x3x224x224");
                try {
                    shapes.put(kv[0], Shapes.parse(kv[1]));
                } catch (IllegalArgumentException e) {
                    throw new InvalidInputException("--shape " + s + ": " + e.getMessage());
                }
            }
        }
        return shapes;
    }

    /** {@code name=file.pb} pairs, read as ONNX TensorProto files. */
    public static Map<String, Tensor> parseInputs(List<String> specs) {
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        if (specs != null) {
            for (String s : specs) {
                String[] kv = split(s, "--input", "name=file.pb");
                Path file = Path.of(kv[1]);
                if (!Files.isRegularFile(file)) {
                    throw new InvalidInputException("--input " + kv[0] + ": no such file " + file);
                }
                inputs.put(kv[0], TensorProtoIO.read(file).tensor());
            }
        }
        return inputs;
    }

    /** Inputs from --input files, and seeded random tensors (shaped by --shape) for those not given. */
    public static Map<String, Tensor> inputsFor(Model model, List<String> inputSpecs, List<String> shapeSpecs, long seed) {
        return inputsFor(model, inputSpecs, shapeSpecs, seed, ResourceLimits.DEFAULT_MAX_INPUT_ELEMENTS);
    }

    /** As above; a random input over {@code maxElements} is refused before it is made. */
    public static Map<String, Tensor> inputsFor(Model model, List<String> inputSpecs, List<String> shapeSpecs, long seed,
                                                long maxElements) {
        Map<String, Tensor> given = parseInputs(inputSpecs);
        Map<String, long[]> shapes = new LinkedHashMap<>(parseShapes(shapeSpecs));
        given.keySet().forEach(shapes::remove);
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        Map<String, Tensor> random = null;
        for (var in : model.graph().inputs()) {
            Tensor t = given.get(in.name());
            if (t == null) {
                if (random == null) {
                    random = RandomInputs.forModel(model, shapes, seed, maxElements);
                }
                t = random.get(in.name());
            }
            inputs.put(in.name(), t);
        }
        given.forEach(inputs::putIfAbsent); // the engine names an input the model does not have
        return inputs;
    }

    /**
     * The request options of the commands that plan: {@code --segments N} is the partition policy; otherwise the
     * named policy (or the default). Policies get the request's input shapes from the engine's planning pipeline.
     */
    public static RunOptions runOptions(String backend, String policy, int segments) {
        Map<String, String> options = new LinkedHashMap<>();
        if (segments < 0) {
            throw new InvalidInputException("--segments must be at least 1, got " + segments);
        }
        if (segments > 0) {
            if (policy != null && !policy.equals("partition")) {
                throw new InvalidInputException("--segments uses the partition policy; drop --policy " + policy);
            }
            options.put("segments", Integer.toString(segments));
            return new RunOptions(backend, "partition", options, false);
        }
        return new RunOptions(backend, policy, options, false);
    }

    private static String[] split(String spec, String option, String example) {
        int eq = spec.indexOf('=');
        if (eq <= 0 || eq == spec.length() - 1) {
            throw new InvalidInputException(option + " '" + spec + "' must look like " + example);
        }
        return new String[] {spec.substring(0, eq), spec.substring(eq + 1)};
    }

    /** {@code ort-cpu[0-37] ort-cpu-b[38-75]}: backend and operator range of every segment. */
    public static String describeSegments(PlanDescription plan) {
        StringBuilder sb = new StringBuilder();
        int first = 0;
        for (SegmentPlan s : plan.segments()) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            int last = first + s.nodeNames().size() - 1;
            sb.append(s.backendId()).append('[').append(first).append('-').append(last).append(']');
            first = last + 1;
        }
        return sb.toString();
    }

    public static String ms(double v) {
        return Double.isNaN(v) ? "-" : String.format("%.2f", v);
    }
}
