package org.sparoa.engine.internal;

import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.sparoa.api.DataType;
import org.sparoa.api.Graph;
import org.sparoa.api.InvalidInputException;
import org.sparoa.api.NonFinite;
import org.sparoa.api.Model;
import org.sparoa.api.Shapes;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;

/** Checks a request's inputs against the model before anything runs: names, element types, shapes, finiteness. */
final class InputValidator {
    private InputValidator() {
    }

    static void validate(Model model, Map<String, Tensor> inputs) {
        validate(model, inputs, true);
    }

    static void validate(Model model, Map<String, Tensor> inputs, boolean rejectNonFinite) {
        Graph g = model.graph();
        // as many names as the model has inputs, each of them present (below): then none is unknown, and the
        // request path builds no set of names
        if (inputs.size() != g.inputs().size()) {
            rejectUnknownNames(model, inputs);
        }
        for (TensorInfo in : g.inputs()) {
            Tensor t = inputs.get(in.name());
            if (t == null) {
                rejectUnknownNames(model, inputs); // an unknown name is the likelier mistake: said first
                throw new InvalidInputException("model " + model.id() + " needs input '" + in.name() + "'; its inputs are "
                        + describe(g));
            }
            if (in.type() != null && t.type() != in.type()) {
                throw new InvalidInputException("input '" + in.name() + "' of " + model.id() + " is "
                        + t.type().name().toLowerCase() + ", the model expects " + in.type().name().toLowerCase());
            }
            long[] want = in.shape();
            long[] have = t.shape();
            if (want != null && !matches(want, have)) {
                throw new InvalidInputException("input '" + in.name() + "' of " + model.id() + " has shape "
                        + Shapes.format(have) + ", the model expects " + Shapes.format(want));
            }
            if (rejectNonFinite && t.type() == DataType.FLOAT) {
                checkFinite(in.name(), t);
            }
        }
    }

    private static void rejectUnknownNames(Model model, Map<String, Tensor> inputs) {
        Graph g = model.graph();
        Set<String> expected = g.inputs().stream().map(TensorInfo::name).collect(Collectors.toSet());
        for (String name : inputs.keySet()) {
            if (!expected.contains(name)) {
                throw new InvalidInputException("model " + model.id() + " has no input '" + name + "'; its inputs are "
                        + describe(g));
            }
        }
    }

    private static boolean matches(long[] want, long[] have) {
        if (want.length != have.length) {
            return false;
        }
        for (int i = 0; i < want.length; i++) {
            if (want[i] >= 0 && want[i] != have[i]) {
                return false;
            }
        }
        return true;
    }

    private static void checkFinite(String name, Tensor t) {
        long i = NonFinite.firstIndex(t);
        if (i >= 0) {
            throw new InvalidInputException("input '" + name + "' contains " + NonFinite.kind(t, i) + " at element "
                    + i);
        }
    }

    private static String describe(Graph g) {
        return g.inputs().stream().map(TensorInfo::toString).collect(Collectors.joining(", "));
    }
}
