package org.sparoa.serving.core;

import java.util.Arrays;
import java.util.Map;

import org.sparoa.api.DataType;
import org.sparoa.api.InvalidInputException;
import org.sparoa.api.NonFinite;
import org.sparoa.api.Shapes;
import org.sparoa.api.Tensor;
import org.sparoa.batching.BatchingService;

/**
 * The checks every input of an infer request passes, whichever endpoint decoded it: no negative dimension, no more
 * elements than the endpoint allows (counted without overflow, before anything is allocated), as many bytes as its
 * type and shape need, no NaN or Inf where the endpoint refuses them, no name twice, and no batch above the model's
 * {@code max_batch_size}. Every refusal is an {@link InvalidInputException} naming the input and what is wrong, and
 * the configuration property that sets the limit.
 *
 * @param maxTensorElements the most elements of one input (below 1: every input with an element is refused)
 * @param rejectNonFinite refuse NaN and Inf in FP32 and FP64 inputs
 * @param configurationPid the endpoint's configuration PID, named in the messages
 */
public record InputChecks(long maxTensorElements, boolean rejectNonFinite, String configurationPid) {

    /** Refuses a negative dimension. */
    public void shape(String input, long[] shape) {
        for (long d : shape) {
            if (d < 0) {
                throw new InvalidInputException("input '" + input + "': shape " + Arrays.toString(shape)
                        + " has a negative dimension");
            }
        }
    }

    /** The element count of a shape with no negative dimension; more than {@link #maxTensorElements} is refused. */
    public long elements(String input, long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d != 0 && n > maxTensorElements / d) {
                n = Long.MAX_VALUE;
                break;
            }
            n *= d;
        }
        if (n > maxTensorElements) {
            throw new InvalidInputException("input '" + input + "': shape " + Shapes.format(shape) + " has more than "
                    + maxTensorElements + " elements (" + configurationPid + " maxTensorElements)");
        }
        return n;
    }

    /**
     * Refuses raw bytes of another size than {@code count} elements of {@code type} need.
     *
     * @param given what the request gave, as it calls it ("binary_data_size is 12 bytes")
     */
    public void byteSize(String input, DataType type, long[] shape, long count, long bytes, String given) {
        long need = count * type.byteSize();
        if (bytes != need) {
            throw new InvalidInputException("input '" + input + "': " + given + ", its " + KserveTypes.kserve(type)
                    + " shape " + Shapes.format(shape) + " needs " + need);
        }
    }

    /** Adds a decoded input, refusing non-finite values (where configured) and a name already there. */
    public void add(Map<String, Tensor> inputs, String input, Tensor t) {
        if (rejectNonFinite) {
            finite(input, t);
        }
        if (inputs.putIfAbsent(input, t) != null) {
            throw new InvalidInputException("input '" + input + "' appears twice");
        }
    }

    private void finite(String input, Tensor t) {
        long i = NonFinite.firstIndex(t);
        if (i >= 0) {
            throw new InvalidInputException("input '" + input + "' contains " + NonFinite.kind(t, i) + " at element "
                    + i + " (non-finite inputs are rejected: " + configurationPid + " rejectNonFinite)");
        }
    }

    /**
     * Refuses a leading dimension above the model's {@code max_batch_size} where the model is batched: Triton's
     * clients do not check it, the server must.
     */
    public static void batch(BatchingService batching, String model, Map<String, Tensor> inputs) {
        if (!batching.isBatchable(model)) {
            return;
        }
        int max = batching.settings(model).maxBatch();
        for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
            long[] s = e.getValue().shape();
            if (s.length > 0 && s[0] > max) {
                throw new InvalidInputException("input '" + e.getKey() + "' has a batch of " + s[0] + ", more than "
                        + "max_batch_size " + max + " of model " + model);
            }
        }
    }
}
