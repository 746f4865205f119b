package org.sparoa.api;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;


/**
 * Seeded random inputs of a model's input shapes: floats uniform in [0, 1), integers in [0, 10), never all zeros.
 * A dynamic leading (batch) dimension defaults to 1; other dynamic dimensions must be given.
 */
public final class RandomInputs {
    /** Most elements of one generated input when the caller gives no limit (the engine's default input limit). */
    public static final long DEFAULT_MAX_ELEMENTS = 1L << 26;

    private RandomInputs() {
    }

    public static Map<String, Tensor> forModel(Model model, Map<String, long[]> shapes, long seed) {
        return forModel(model, shapes, seed, DEFAULT_MAX_ELEMENTS);
    }

    /** As {@link #forModel(Model, Map, long)}, refusing an input of more than {@code maxElements} before making it. */
    public static Map<String, Tensor> forModel(Model model, Map<String, long[]> shapes, long seed, long maxElements) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : shapes.keySet()) {
            if (model.graph().inputs().stream().noneMatch(i -> i.name().equals(name))) {
                throw new InvalidInputException("--shape names '" + name + "', which is not an input of " + model.id());
            }
        }
        for (TensorInfo in : model.graph().inputs()) {
            long[] shape = resolve(model, in, shapes.get(in.name()));
            checkElements(shape, Math.min(maxElements, Integer.MAX_VALUE / 8),
                    "input '" + in.name() + "' of " + model.id());
            out.put(in.name(), random(in.type() == null ? DataType.FLOAT : in.type(), shape, random));
        }
        return out;
    }

    /** The concrete shape of an input: the given one (checked against the model), or the declared one. */
    public static long[] resolve(Model model, TensorInfo in, long[] given) {
        long[] declared = in.shape();
        if (given != null) {
            if (declared != null) {
                boolean ok = declared.length == given.length;
                for (int i = 0; ok && i < given.length; i++) {
                    ok = declared[i] < 0 || declared[i] == given[i];
                }
                if (!ok) {
                    throw new InvalidInputException("--shape " + in.name() + "=" + Shapes.format(given)
                            + " does not fit the model's " + Shapes.format(declared));
                }
            }
            return given.clone();
        }
        if (declared == null) {
            throw new InvalidInputException("input '" + in.name() + "' of " + model.id()
                    + " has no declared shape; give one with --shape " + in.name() + "=1x3x224x224");
        }
        long[] shape = declared.clone();
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                if (i == 0) {
                    shape[i] = 1;
                } else {
                    throw new InvalidInputException("input '" + in.name() + "' of " + model.id()
                            + " has dynamic dimensions " + Shapes.format(declared) + "; give its shape with --shape "
                            + in.name() + "=" + Shapes.format(example(declared)));
                }
            }
        }
        return shape;
    }

    private static long[] example(long[] declared) {
        long[] e = declared.clone();
        for (int i = 0; i < e.length; i++) {
            if (e[i] < 0) {
                e[i] = i == 0 ? 1 : 224;
            }
        }
        return e;
    }

    public static Tensor random(DataType type, long[] shape, SplittableRandom random) {
        int n = Math.toIntExact(Shapes.elementCount(shape));
        ByteBuffer b = ByteBuffer.allocate(n * Math.max(1, type.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            switch (type) {
                case FLOAT -> b.putFloat((float) random.nextDouble());
                case DOUBLE -> b.putDouble(random.nextDouble());
                case INT64 -> b.putLong(random.nextInt(10));
                case INT32 -> b.putInt(random.nextInt(10));
                case UINT8, INT8 -> b.put((byte) random.nextInt(10));
                case BOOL -> b.put((byte) random.nextInt(2));
                default -> throw new InvalidInputException("cannot make random " + type + " inputs; pass --input");
            }
        }
        b.flip();
        return Tensor.wrap(type, shape, b);
    }

    private static void checkElements(long[] shape, long maxElements, String what) {
        long n = 1;
        for (long d : shape) {
            if (d != 0 && n > Long.MAX_VALUE / d) {
                throw new ResourceLimitException(what + " of shape " + Shapes.format(shape)
                        + " has more elements than a long counts (limit " + maxElements + ")");
            }
            n *= d;
        }
        if (n > maxElements) {
            throw new ResourceLimitException(what + " of shape " + Shapes.format(shape) + " has " + n
                    + " elements, more than the limit of " + maxElements);
        }
    }
}
