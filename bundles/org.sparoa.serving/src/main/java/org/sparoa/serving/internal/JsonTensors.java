package org.sparoa.serving.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import com.google.gson.stream.JsonWriter;

import org.sparoa.api.DataType;
import org.sparoa.api.Tensor;

/** Tensor elements to and from the JSON {@code data} field of the KServe v2 protocol (flat or nested, row-major). */
final class JsonTensors {
    private JsonTensors() {
    }

    /** Reads {@code count} elements of {@code type} from a flat or nested JSON array into little-endian bytes. */
    static ByteBuffer read(JsonElement data, DataType type, long count, String input) {
        if (type.byteSize() == 0 || type == DataType.FLOAT16 || type == DataType.BFLOAT16) {
            throw HttpError.badRequest("input '" + input + "': datatype " + Datatypes.kserve(type)
                    + " is accepted only as binary data (parameters.binary_data_size)");
        }
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(count * type.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        long[] seen = {0};
        put(data, type, out, count, seen, input);
        if (seen[0] != count) {
            throw HttpError.badRequest("input '" + input + "' has " + seen[0] + " elements in 'data', its shape needs "
                    + count);
        }
        out.flip();
        return out;
    }

    private static void put(JsonElement e, DataType type, ByteBuffer out, long count, long[] seen, String input) {
        if (e.isJsonArray()) {
            for (JsonElement x : e.getAsJsonArray()) {
                put(x, type, out, count, seen, input);
            }
            return;
        }
        if (!e.isJsonPrimitive()) {
            throw HttpError.badRequest("input '" + input + "': 'data' must hold numbers (or booleans for BOOL), found "
                    + e);
        }
        if (seen[0] >= count) {
            seen[0]++;
            return; // counted, reported once all are seen
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        try {
            switch (type) {
                case FLOAT -> out.putFloat(p.getAsFloat());
                case DOUBLE -> out.putDouble(p.getAsDouble());
                case INT8, UINT8 -> out.put((byte) p.getAsLong());
                case INT16, UINT16 -> out.putShort((short) p.getAsLong());
                case INT32, UINT32 -> out.putInt((int) p.getAsLong());
                case INT64, UINT64 -> out.putLong(p.getAsLong());
                case BOOL -> out.put((byte) (p.isBoolean() ? (p.getAsBoolean() ? 1 : 0) : (p.getAsLong() != 0 ? 1 : 0)));
                default -> throw new IllegalStateException(type.toString());
            }
        } catch (NumberFormatException | UnsupportedOperationException ex) {
            throw HttpError.badRequest("input '" + input + "': element " + seen[0] + " (" + p + ") is not a "
                    + Datatypes.kserve(type) + " value");
        }
        seen[0]++;
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
