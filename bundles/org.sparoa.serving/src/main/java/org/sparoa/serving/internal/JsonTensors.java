package org.sparoa.serving.internal;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import com.google.gson.stream.JsonWriter;

import org.sparoa.api.DataType;
import org.sparoa.api.Tensor;
import org.sparoa.serving.core.KserveTypes;

/** Tensor elements to and from the JSON {@code data} field of the KServe v2 protocol (flat or nested, row-major). */
final class JsonTensors {
    private JsonTensors() {
    }

    /**
     * Reads {@code count} elements of {@code type} from a flat or nested JSON array into little-endian bytes. The
     * elements are counted before the buffer is allocated, so a small body cannot make it allocate what its shape
     * claims.
     */
    static ByteBuffer read(JsonElement data, DataType type, long count, String input) {
        if (type.byteSize() == 0 || type == DataType.FLOAT16 || type == DataType.BFLOAT16) {
            throw HttpError.badRequest("input '" + input + "': datatype " + KserveTypes.kserve(type)
                    + " is accepted only as binary data (parameters.binary_data_size)");
        }
        long seen = count(data, input);
        if (seen != count) {
            throw HttpError.badRequest("input '" + input + "' has " + seen + " elements in 'data', its shape needs "
                    + count);
        }
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(count * type.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        put(data, type, out, input);
        out.flip();
        return out;
    }

    private static long count(JsonElement e, String input) {
        if (e.isJsonArray()) {
            long n = 0;
            for (JsonElement x : e.getAsJsonArray()) {
                n += count(x, input);
            }
            return n;
        }
        if (!e.isJsonPrimitive()) {
            throw HttpError.badRequest("input '" + input + "': 'data' must hold numbers (or booleans for BOOL), found "
                    + InferRequestDecoder.abbreviate(e.toString()));
        }
        return 1;
    }

    private static void put(JsonElement e, DataType type, ByteBuffer out, String input) {
        if (e.isJsonArray()) {
            for (JsonElement x : e.getAsJsonArray()) {
                put(x, type, out, input);
            }
            return;
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        switch (type) {
            case FLOAT -> out.putFloat(number(p, type, out, input).floatValue());
            case DOUBLE -> out.putDouble(number(p, type, out, input).doubleValue());
            case INT8 -> out.put((byte) whole(p, type, out, input, Byte.MIN_VALUE, Byte.MAX_VALUE));
            case UINT8 -> out.put((byte) whole(p, type, out, input, 0, 0xFF));
            case INT16 -> out.putShort((short) whole(p, type, out, input, Short.MIN_VALUE, Short.MAX_VALUE));
            case UINT16 -> out.putShort((short) whole(p, type, out, input, 0, 0xFFFF));
            case INT32 -> out.putInt((int) whole(p, type, out, input, Integer.MIN_VALUE, Integer.MAX_VALUE));
            case UINT32 -> out.putInt((int) whole(p, type, out, input, 0, 0xFFFF_FFFFL));
            case INT64 -> out.putLong(whole(p, type, out, input, Long.MIN_VALUE, Long.MAX_VALUE));
            case UINT64 -> out.putLong(unsigned64(p, type, out, input));
            case BOOL -> out.put((byte) (p.isBoolean() ? (p.getAsBoolean() ? 1 : 0)
                    : whole(p, type, out, input, 0, 1)));
            default -> throw new IllegalStateException(type.toString());
        }
    }

    private static Number number(JsonPrimitive p, DataType type, ByteBuffer out, String input) {
        if (!p.isNumber()) {
            throw notA(p, type, out, input, "a number");
        }
        return p.getAsNumber();
    }

    private static long whole(JsonPrimitive p, DataType type, ByteBuffer out, String input, long min, long max) {
        Long v = JsonNumbers.inRange(p, min, max);
        if (v == null) {
            throw notA(p, type, out, input, "a whole number from " + min + " to " + max);
        }
        return v;
    }

    private static long unsigned64(JsonPrimitive p, DataType type, ByteBuffer out, String input) {
        BigInteger v = JsonNumbers.integer(p);
        if (v == null || v.signum() < 0 || v.bitLength() > 64) {
            throw notA(p, type, out, input, "a whole number from 0 to 18446744073709551615");
        }
        return v.longValue();
    }

    private static HttpError notA(JsonPrimitive p, DataType type, ByteBuffer out, String input, String what) {
        long element = out.position() / type.byteSize();
        return HttpError.badRequest("input '" + input + "': element " + element + " ("
                + InferRequestDecoder.abbreviate(p.toString()) + ") is not a " + KserveTypes.kserve(type) + " value ("
                + what + ")");
    }

    /** Writes the tensor's elements as a flat JSON array (non-finite floats as NaN / Infinity, as Triton does). */
    static void write(JsonWriter w, Tensor t) throws IOException {
        w.beginArray();
        ByteBuffer b = t.bytes();
        int n = Math.toIntExact(t.elementCount());
        switch (t.type()) {
            case FLOAT -> { for (int i = 0; i < n; i++) w.value(b.getFloat(i * 4)); }
            case DOUBLE -> { for (int i = 0; i < n; i++) w.value(b.getDouble(i * 8)); }
            case BOOL -> { for (int i = 0; i < n; i++) w.value(b.get(i) != 0); }
            case FLOAT16, BFLOAT16 -> { for (float v : t.toFloatArray()) w.value(v); }
            case UINT64 -> { for (int i = 0; i < n; i++) w.jsonValue(Long.toUnsignedString(b.getLong(i * 8))); }
            default -> { for (long v : t.toLongArray()) w.value(v); }
        }
        w.endArray();
    }

    static JsonArray shape(long[] shape) {
        JsonArray a = new JsonArray();
        for (long d : shape) {
            a.add(d);
        }
        return a;
    }
}
