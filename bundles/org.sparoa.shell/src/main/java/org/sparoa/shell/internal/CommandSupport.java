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
import org.sparoa.engine.RandomInputs;
import org.sparoa.onnx.TensorProtoIO;

/** What several commands share: resolving a model argument, parsing --input and --shape, describing plans. */
public final class CommandSupport {
    private CommandSupport() {
    }

    /** A loaded model id, or a path to an .onnx file, loaded under its file name. */
    public static Model resolveModel(ModelRegistry models, String ref) {
        if (models.get(ref).isPresent()) {
            return models.require(ref);
        }
        Path p = Path.of(ref);
        if (Files.isRegularFile(p)) {
            return models.load(null, p);
        }
        throw new UnknownModelException("unknown model '" + ref + "': not a loaded model id and no such file; loaded: "
                + models.list().stream().map(Model::id).toList());
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
        Map<String, Tensor> given = parseInputs(inputSpecs);
        Map<String, long[]> shapes = new LinkedHashMap<>(parseShapes(shapeSpecs));
        given.keySet().forEach(shapes::remove);
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        Map<String, Tensor> random = null;
        for (var in : model.graph().inputs()) {
            Tensor t = given.get(in.name());
            if (t == null) {
                if (random == null) {
                    random = RandomInputs.forModel(model, shapes, seed);
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
     * named policy (or the default). The shapes of the request's inputs go along as the policy option
     * {@code shapes}, so that a policy that analyses the model (threshold) can resolve dynamic dimensions.
     */
    public static RunOptions runOptions(String backend, String policy, int segments, Map<String, Tensor> inputs) {
        Map<String, String> options = new LinkedHashMap<>();
        StringBuilder shapes = new StringBuilder();
        inputs.forEach((name, t) -> {
            if (t.shape().length > 0) {
                shapes.append(shapes.length() == 0 ? "" : ";").append(name).append('=').append(Shapes.format(t.shape()));
            }
        });
        if (shapes.length() > 0) {
            options.put("shapes", shapes.toString());
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
