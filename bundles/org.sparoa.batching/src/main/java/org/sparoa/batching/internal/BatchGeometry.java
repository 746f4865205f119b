package org.sparoa.batching.internal;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.sparoa.api.InvalidInputException;
import org.sparoa.api.Model;
import org.sparoa.api.Shapes;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;

/**
 * What a model allows a batcher to do: whether every input and output has a dynamic leading dimension (then requests
 * are concatenated along it and the outputs split back), and the checks a request must pass before it is queued,
 * so that one malformed request never spoils a batch of good ones.
 */
final class BatchGeometry {
    private final Model model;
    private final boolean batchable;

    BatchGeometry(Model model) {
        this.model = model;
        this.batchable = leadingDimIsDynamic(model.graph().inputs()) && leadingDimIsDynamic(model.graph().outputs());
    }

    private static boolean leadingDimIsDynamic(List<TensorInfo> tensors) {
        if (tensors.isEmpty()) {
            return false;
        }
        for (TensorInfo t : tensors) {
            long[] s = t.shape();
            if (s == null || s.length == 0 || s[0] >= 0) {
                return false;
            }
        }
        return true;
    }

    Model model() {
        return model;
    }

    boolean isBatchable() {
        return batchable;
    }

    /**
     * Checks names, element types, ranks and static dimensions (NaN and the rest are the engine's to check) and
     * returns the request's batch key; its rows are the leading dimension of its first input.
     */
    String check(Map<String, Tensor> inputs) {
        List<TensorInfo> expected = model.graph().inputs();
        for (String name : inputs.keySet()) {
            if (expected.stream().noneMatch(t -> t.name().equals(name))) {
                throw new InvalidInputException("model " + model.id() + " has no input '" + name + "'; its inputs are "
                        + describe(expected));
            }
        }
        StringBuilder key = new StringBuilder();
        long rows = -1;
        for (TensorInfo in : expected) {
            Tensor t = inputs.get(in.name());
            if (t == null) {
                throw new InvalidInputException("model " + model.id() + " needs input '" + in.name()
                        + "'; its inputs are " + describe(expected));
            }
            if (in.type() != null && t.type() != in.type()) {
                throw new InvalidInputException("input '" + in.name() + "' of " + model.id() + " is "
                        + t.type().name().toLowerCase() + ", the model expects " + in.type().name().toLowerCase());
            }
            long[] want = in.shape();
            long[] have = t.shape();
            if (want != null && !fits(want, have)) {
                throw new InvalidInputException("input '" + in.name() + "' of " + model.id() + " has shape "
                        + Shapes.format(have) + ", the model expects " + Shapes.format(want));
            }
            if (batchable) {
                if (have.length == 0 || have[0] < 1) {
                    throw new InvalidInputException("input '" + in.name() + "' of " + model.id()
                            + " needs at least one row along its leading (batch) dimension, got shape "
                            + Shapes.format(have));
                }
                if (rows >= 0 && have[0] != rows) {
                    throw new InvalidInputException("input '" + in.name() + "' of " + model.id() + " has " + have[0]
                            + " rows along the batch dimension, the other inputs " + rows);
                }
                rows = have[0];
            }
            key.append(t.type()).append(':');
            for (int i = batchable ? 1 : 0; i < have.length; i++) {
                key.append(have[i]).append('x');
            }
            key.append(';');
        }
        return key.toString();
    }

    /** Rows along the leading dimension (1 for a model that is not batchable). */
    long rows(Map<String, Tensor> inputs) {
        if (!batchable) {
            return 1;
        }
        return inputs.get(model.graph().inputs().get(0).name()).shape()[0];
    }

    private static boolean fits(long[] want, long[] have) {
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

    private static String describe(List<TensorInfo> tensors) {
        return tensors.stream().map(TensorInfo::toString).collect(Collectors.joining(", "));
    }
}
