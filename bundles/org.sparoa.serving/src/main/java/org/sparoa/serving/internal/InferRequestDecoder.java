package org.sparoa.serving.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import org.sparoa.api.DataType;
import org.sparoa.api.Tensor;
import org.sparoa.serving.core.InputChecks;
import org.sparoa.serving.core.KserveTypes;

/**
 * Decodes the body of {@code POST .../infer}: a JSON header, then, with the binary tensor data extension, the raw
 * little-endian bytes of every input that declares {@code parameters.binary_data_size}, in input order. The JSON
 * header's length comes from {@code Inference-Header-Content-Length}; without that header the whole body is JSON.
 * What every endpoint checks on an input (shape, element limit, size, non-finite values, names) is
 * {@link InputChecks}'s job. A refusal is an {@link HttpError} 400 or the platform's {@code InvalidInputException},
 * which the handler answers 400.
 */
final class InferRequestDecoder {
    static final String HEADER_LENGTH = "Inference-Header-Content-Length";
    private final InputChecks checks;

    InferRequestDecoder(InputChecks checks) {
        this.checks = checks;
    }

    InferRequest decode(byte[] body, String headerLength) {
        int jsonLength = jsonLength(body, headerLength);
        JsonObject json = parse(body, jsonLength);
        String id = id(json);
        boolean binaryOut = flag(json, "binary_data_output");
        JsonElement ins = json.get("inputs");
        if (ins == null || !ins.isJsonArray() || ins.getAsJsonArray().isEmpty()) {
            throw HttpError.badRequest("request has no 'inputs' array");
        }
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        int offset = jsonLength;
        for (JsonElement e : ins.getAsJsonArray()) {
            if (!e.isJsonObject()) {
                throw HttpError.badRequest("every element of 'inputs' must be an object, found "
                        + abbreviate(e.toString()));
            }
            JsonObject in = e.getAsJsonObject();
            String name = string(in, "name", "an input");
            DataType type = KserveTypes.fromKserve(string(in, "datatype", "input '" + name + "'"), name);
            long[] shape = shape(in, name);
            long count = checks.elements(name, shape);
            long binarySize = binarySize(in, name);
            ByteBuffer data;
            if (binarySize >= 0) {
                checks.byteSize(name, type, shape, count, binarySize, "binary_data_size is " + binarySize + " bytes");
                if (body.length - offset < binarySize) {
                    throw HttpError.badRequest("input '" + name + "': binary_data_size is " + binarySize
                            + " bytes but the body has only " + (body.length - offset) + " bytes left after the JSON"
                            + " header and the inputs before it");
                }
                data = ByteBuffer.wrap(body, offset, (int) binarySize).slice().order(ByteOrder.LITTLE_ENDIAN);
                offset += (int) binarySize;
            } else {
                JsonElement d = in.get("data");
                if (d == null) {
                    throw HttpError.badRequest("input '" + name + "' has neither 'data' nor parameters.binary_data_size");
                }
                data = JsonTensors.read(d, type, count, name);
            }
            checks.add(inputs, name, Tensor.wrap(type, shape, data));
        }
        if (offset != body.length) {
            throw HttpError.badRequest((body.length - offset) + " bytes after the JSON header are not claimed by any "
                    + "input's binary_data_size");
        }
        return new InferRequest(id, inputs, outputs(json), binaryOut);
    }

    private static int jsonLength(byte[] body, String header) {
        if (header == null || header.isBlank()) {
            return body.length;
        }
        long n;
        try {
            n = Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            throw HttpError.badRequest(HEADER_LENGTH + " must be a number of bytes, got '" + header + "'");
        }
        if (n < 0 || n > body.length) {
            throw HttpError.badRequest(HEADER_LENGTH + " is " + n + " but the body has " + body.length + " bytes");
        }
        return (int) n;
    }

    private static JsonObject parse(byte[] body, int length) {
        if (length == 0) {
            throw HttpError.badRequest("request body is empty; an infer request is a JSON object with 'inputs'");
        }
        try {
            JsonElement e = JsonParser.parseString(new String(body, 0, length, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) {
                throw HttpError.badRequest("request JSON must be an object, got " + abbreviate(e.toString()));
            }
            return e.getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw HttpError.badRequest("request JSON header is malformed or truncated: " + e.getMessage());
        }
    }

    private static String id(JsonObject json) {
        JsonElement id = json.get("id");
        if (id == null || id.isJsonNull()) {
            return null;
        }
        if (!id.isJsonPrimitive() || !id.getAsJsonPrimitive().isString()) {
            throw HttpError.badRequest("'id' must be a string, got " + abbreviate(id.toString()));
        }
        return id.getAsString();
    }

    static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    private static boolean flag(JsonObject o, String name) {
        JsonElement p = o.get("parameters");
        if (p == null || !p.isJsonObject()) {
            return false;
        }
        JsonElement v = p.getAsJsonObject().get(name);
        return v != null && v.isJsonPrimitive() && v.getAsJsonPrimitive().isBoolean() && v.getAsBoolean();
    }

    private static String string(JsonObject o, String field, String what) {
        JsonElement v = o.get(field);
        if (v == null || !v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
            throw HttpError.badRequest(what + " has no '" + field + "' string");
        }
        return v.getAsString();
    }

    private long[] shape(JsonObject in, String name) {
        JsonElement s = in.get("shape");
        if (s == null || !s.isJsonArray()) {
            throw HttpError.badRequest("input '" + name + "' has no 'shape' array");
        }
        JsonArray a = s.getAsJsonArray();
        long[] shape = new long[a.size()];
        for (int i = 0; i < shape.length; i++) {
            Long d = JsonNumbers.inRange(a.get(i), Long.MIN_VALUE, Long.MAX_VALUE);
            if (d == null) {
                throw HttpError.badRequest("input '" + name + "': shape " + abbreviate(a.toString())
                        + " must hold whole numbers");
            }
            shape[i] = d;
        }
        checks.shape(name, shape);
        return shape;
    }

    private static long binarySize(JsonObject in, String name) {
        JsonElement p = in.get("parameters");
        if (p == null || !p.isJsonObject() || !p.getAsJsonObject().has("binary_data_size")) {
            return -1;
        }
        Long n = JsonNumbers.inRange(p.getAsJsonObject().get("binary_data_size"), 0, Long.MAX_VALUE);
        if (n == null) {
            throw HttpError.badRequest("input '" + name + "': parameters.binary_data_size must be a byte count, got "
                    + abbreviate(String.valueOf(p.getAsJsonObject().get("binary_data_size"))));
        }
        return n;
    }

    private static List<InferRequest.RequestedOutput> outputs(JsonObject json) {
        JsonElement outs = json.get("outputs");
        List<InferRequest.RequestedOutput> list = new ArrayList<>();
        if (outs == null || outs.isJsonNull()) {
            return list;
        }
        if (!outs.isJsonArray()) {
            throw HttpError.badRequest("'outputs' must be an array");
        }
        for (JsonElement e : outs.getAsJsonArray()) {
            if (!e.isJsonObject()) {
                throw HttpError.badRequest("every element of 'outputs' must be an object, found "
                        + abbreviate(e.toString()));
            }
            JsonObject o = e.getAsJsonObject();
            String name = string(o, "name", "an output");
            Boolean binary = null;
            JsonElement p = o.get("parameters");
            if (p != null && p.isJsonObject() && p.getAsJsonObject().has("binary_data")) {
                JsonElement b = p.getAsJsonObject().get("binary_data");
                if (!b.isJsonPrimitive() || !b.getAsJsonPrimitive().isBoolean()) {
                    throw HttpError.badRequest("output '" + name + "': parameters.binary_data must be true or false, got "
                            + abbreviate(b.toString()));
                }
                binary = b.getAsBoolean();
            }
            list.add(new InferRequest.RequestedOutput(name, binary));
        }
        return list;
    }
}
