package org.sparoa.engine;

import org.sparoa.api.ResourceLimitException;
import org.sparoa.api.Shapes;

/**
 * The platform's resource limits (configuration PID {@code org.sparoa.engine}). The defaults protect a 2-core box
 * with 24 GB of memory, whose Karaf JVM gets a quarter of it as heap: a model file of at most 1 GiB, an input of at
 * most 2^26 elements (256 MiB of floats), any tensor a plan would produce of at most 2^28 elements (1 GiB of
 * floats), and 16 requests per model at a time. A request or a model over a limit is refused with a
 * {@link ResourceLimitException} before anything large is allocated.
 *
 * @param maxModelFileBytes largest model file loaded
 * @param maxInputElements most elements of one input tensor
 * @param maxTensorElements most elements of one intermediate or output tensor, as far as shapes are known at plan
 *        time
 * @param maxConcurrentRequestsPerModel requests of one model running at once; more are refused, not queued
 */
public record ResourceLimits(long maxModelFileBytes, long maxInputElements, long maxTensorElements,
                             int maxConcurrentRequestsPerModel) {
    public static final String MAX_MODEL_FILE_MEGABYTES = "maxModelFileMegabytes";
    public static final String MAX_INPUT_ELEMENTS = "maxInputElements";
    public static final String MAX_TENSOR_ELEMENTS = "maxTensorElements";
    public static final String MAX_CONCURRENT_REQUESTS_PER_MODEL = "maxConcurrentRequestsPerModel";

    public static final long DEFAULT_MAX_MODEL_FILE_MEGABYTES = 1024;
    public static final long DEFAULT_MAX_INPUT_ELEMENTS = org.sparoa.api.RandomInputs.DEFAULT_MAX_ELEMENTS;
    public static final long DEFAULT_MAX_TENSOR_ELEMENTS = 1L << 28;
    public static final int DEFAULT_MAX_CONCURRENT_REQUESTS_PER_MODEL = 16;

    public static final ResourceLimits DEFAULTS = new ResourceLimits(DEFAULT_MAX_MODEL_FILE_MEGABYTES << 20,
            DEFAULT_MAX_INPUT_ELEMENTS, DEFAULT_MAX_TENSOR_ELEMENTS, DEFAULT_MAX_CONCURRENT_REQUESTS_PER_MODEL);

    public ResourceLimits {
        if (maxModelFileBytes < 1 || maxInputElements < 1 || maxTensorElements < 1
                || maxConcurrentRequestsPerModel < 1) {
            throw new IllegalArgumentException("resource limits must be positive: " + maxModelFileBytes + ", "
                    + maxInputElements + ", " + maxTensorElements + ", " + maxConcurrentRequestsPerModel);
        }
    }

    /** Element count of a shape, {@link #UNKNOWN} where a dimension is not known, {@link #PAST_LONG} past a long. */
    private static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                return UNKNOWN;
            }
            if (d != 0 && n > Long.MAX_VALUE / d) {
                return PAST_LONG;
            }
            n *= d;
        }
        return n;
    }

    private static final long UNKNOWN = -1;
    private static final long PAST_LONG = -2;

    /**
     * Whether {@link #checkElements} lets the shape through, without a message to build: for the request path, which
     * names the tensor only when it is refused.
     */
    public static boolean withinElements(long[] shape, long maxElements) {
        long n = elements(shape);
        return n == UNKNOWN || n >= 0 && n <= maxElements;
    }

    /**
     * Refuses a tensor shape over {@code maxElements}, or whose element count does not fit a long; {@code what}
     * names the tensor in the message. A shape with an unknown dimension is not checked.
     */
    public static void checkElements(long[] shape, long maxElements, String what) {
        long n = elements(shape);
        if (n == PAST_LONG) {
            throw new ResourceLimitException(what + " of shape " + Shapes.format(shape)
                    + " has more elements than a long counts (limit " + maxElements + ")");
        }
        if (n > maxElements) {
            throw new ResourceLimitException(what + " of shape " + Shapes.format(shape) + " has " + n
                    + " elements, more than the limit of " + maxElements + " (configuration org.sparoa.engine)");
        }
    }
}
