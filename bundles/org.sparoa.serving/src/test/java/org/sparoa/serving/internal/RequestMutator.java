package org.sparoa.serving.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;

/**
 * Mutates a real request the ways a broken client or an attacker would: values in the JSON header replaced by
 * hostile ones (huge, negative, fractional and overflowing numbers, wrong types, deep nesting, long strings), fields
 * dropped and duplicated, shapes and {@code binary_data_size} that disagree with the data, other datatypes; the body's
 * bytes flipped, cut, spliced and repeated; {@code Inference-Header-Content-Length} off by one, negative, huge or not
 * a number; model names and paths that are empty, dotted, long, encoded or point elsewhere, and other methods.
 */
final class RequestMutator {
    private static final List<String> DATATYPES = List.of("FP32", "FP64", "FP16", "BF16", "INT8", "INT16", "INT32",
            "INT64", "UINT8", "UINT16", "UINT32", "UINT64", "BOOL", "BYTES", "fp32", "", "FP32 ", "STRING");
    private static final List<String> HEADERS = List.of("", " ", "-1", "0", "1", "abc", "12abc", "0x10", "1e3", "+5",
            "99999999999999999999", "9223372036854775807", "-9223372036854775808", "2147483648", " 17 ", "\t3");
    private static final List<String> NAMES = List.of("", ".", "..", "cls..", "CLS", "cls%00", "cls\u0000",
            "cls;x", "c ls", "\u00e7ls", "cls.onnx", "-cls", "x".repeat(300), "cls%2F..%2Fcls", "nope");
    private static final List<String> PATHS = List.of("", "/", "/models", "/models/", "/models/cls",
            "/models/cls/versions/1/infer", "/models/cls/versions/2/infer", "/models/cls/versions/x/infer",
            "/models/cls/versions//infer", "/models//infer", "/models/cls/infer/extra", "/models/cls/config",
            "/models/cls/ready", "/repository/index", "/repository/models/cls/unload", "/repository/models/../load",
            "/health/live", "/models/cls/versions/1", "//models/cls/infer", "/models/cls/infer/");
    private static final String SPECIAL = "{}[]\",:\\-.eE0 \u0000";
    private static final List<String> METHODS = List.of("POST", "GET", "PUT", "DELETE", "HEAD", "OPTIONS", "post", "");

    private RequestMutator() {
    }

    static FuzzedRequest mutate(FuzzedRequest seed, Choices c) {
        int split = jsonLength(seed);
        byte[] head = Arrays.copyOfRange(seed.body(), 0, split);
        byte[] tail = Arrays.copyOfRange(seed.body(), split, seed.body().length);
        String method = seed.method();
        String path = seed.path();
        String header = seed.headerLength();
        boolean headerFollows = header != null && !c.oneIn(4);
        int rounds = 1 + c.nextInt(4);
        for (int r = 0; r < rounds; r++) {
            switch (c.nextInt(10)) {
                case 0, 1, 2, 3 -> head = mutateJson(head, c);
                case 4 -> head = mutateBytes(head, c);
                case 5 -> tail = mutateBytes(tail, c);
                case 6 -> {
                    header = c.oneIn(2) ? c.pick(HEADERS) : Integer.toString(head.length + c.nextInt(5) - 2);
                    headerFollows = false;
                }
                case 7 -> path = mutatePath(path, c);
                case 8 -> method = c.oneIn(3) ? c.pick(METHODS) : method;
                default -> {
                    header = header == null ? Integer.toString(head.length) : null;
                    headerFollows = header != null;
                }
            }
        }
        if (headerFollows) {
            header = Integer.toString(head.length);
        }
        byte[] body = new byte[head.length + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(tail, 0, body, head.length, tail.length);
        if (c.oneIn(20)) {
            body = mutateBytes(body, c); // across the JSON and binary parts
        }
        return new FuzzedRequest(method, path, header, body);
    }

    private static int jsonLength(FuzzedRequest r) {
        try {
            return r.headerLength() == null ? r.body().length : Integer.parseInt(r.headerLength());
        } catch (NumberFormatException e) {
            return r.body().length;
        }
    }

    private static String mutatePath(String path, Choices c) {
        return switch (c.nextInt(3)) {
            case 0 -> c.pick(PATHS);
            case 1 -> path.replace("/cls/", "/" + c.pick(NAMES) + "/");
            default -> "/repository/models/" + c.pick(NAMES) + (c.oneIn(2) ? "/load" : "/unload");
        };
    }

    static byte[] mutateBytes(byte[] b, Choices c) {
        if (b.length == 0) {
            return c.oneIn(2) ? b : new byte[] {(byte) c.nextInt(256)};
        }
        int at = c.nextInt(b.length);
        switch (c.nextInt(6)) {
            case 0 -> { // bit flip
                byte[] out = b.clone();
                out[at] ^= (byte) (1 << c.nextInt(8));
                return out;
            }
            case 1 -> { // truncation
                return Arrays.copyOf(b, at);
            }
            case 2 -> { // a JSON-significant byte in place of another
                byte[] out = b.clone();
                out[at] = (byte) SPECIAL.charAt(c.nextInt(SPECIAL.length()));
                return out;
            }
            case 3 -> { // a slice repeated
                int len = 1 + c.nextInt(Math.min(64, b.length - at));
                byte[] out = new byte[b.length + len];
                System.arraycopy(b, 0, out, 0, at + len);
                System.arraycopy(b, at, out, at + len, b.length - at);
                return out;
            }
            case 4 -> { // a slice dropped
                int len = 1 + c.nextInt(Math.min(64, b.length - at));
                byte[] out = new byte[b.length - len];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, at + len, out, at, b.length - at - len);
                return out;
            }
            default -> { // random bytes inserted
                int len = 1 + c.nextInt(8);
                byte[] out = new byte[b.length + len];
                System.arraycopy(b, 0, out, 0, at);
                for (int i = 0; i < len; i++) {
                    out[at + i] = (byte) c.nextInt(256);
                }
                System.arraycopy(b, at, out, at + len, b.length - at);
                return out;
            }
        }
    }

    private static byte[] mutateJson(byte[] head, Choices c) {
        JsonElement root;
        try {
            root = JsonParser.parseString(new String(head, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            return mutateBytes(head, c);
        }
        List<JsonElement> containers = new ArrayList<>();
        collect(root, containers);
        if (containers.isEmpty()) {
            return mutateBytes(head, c);
        }
        JsonElement target = c.pick(containers);
        if (target.isJsonObject()) {
            JsonObject o = target.getAsJsonObject();
            List<String> keys = new ArrayList<>(o.keySet());
            int op = c.nextInt(6);
            if (keys.isEmpty() || op == 0) {
                o.add(c.pick(List.of("inputs", "outputs", "id", "parameters", "shape", "data", "datatype", "name",
                        "binary_data_size", "binary_data", "binary_data_output")), hostile(c));
            } else {
                String key = c.pick(keys);
                switch (op) {
                    case 1 -> o.remove(key);
                    case 2 -> o.add(key, hostile(c));
                    case 3 -> o.add(key, key.equals("datatype") ? new JsonPrimitive(c.pick(DATATYPES))
                            : key.equals("shape") ? hostileShape(c) : key.equals("binary_data_size")
                            ? new JsonPrimitive(c.pick(List.of(0, 1, -1, 4, 110591, 110593, Integer.MAX_VALUE)))
                            : hostile(c));
                    case 4 -> o.add(key, o.get(key).deepCopy().isJsonArray() ? wrap(o.get(key)) : hostile(c));
                    default -> o.add(key + (c.oneIn(2) ? "" : "_"), o.get(key).deepCopy());
                }
            }
        } else {
            JsonArray a = target.getAsJsonArray();
            int op = c.nextInt(4);
            if (a.isEmpty() || op == 0) {
                a.add(hostile(c));
            } else {
                int i = c.nextInt(a.size());
                switch (op) {
                    case 1 -> a.remove(i);
                    case 2 -> a.set(i, hostile(c));
                    default -> a.add(a.get(i).deepCopy()); // an input (or element) twice
                }
            }
        }
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static JsonArray wrap(JsonElement e) {
        JsonArray a = new JsonArray();
        a.add(e.deepCopy());
        return a;
    }

    /** Objects and arrays of the tree, but not the elements of long data arrays one by one (a few of them). */
    private static void collect(JsonElement e, List<JsonElement> out) {
        if (e.isJsonObject()) {
            out.add(e);
            for (Map.Entry<String, JsonElement> m : e.getAsJsonObject().entrySet()) {
                collect(m.getValue(), out);
            }
        } else if (e.isJsonArray()) {
            out.add(e);
            JsonArray a = e.getAsJsonArray();
            for (int i = 0; i < Math.min(a.size(), 4); i++) {
                collect(a.get(i), out);
            }
        }
    }

    private static JsonElement hostileShape(Choices c) {
        long[][] shapes = {{}, {0}, {-1}, {1, 3, 48, 192}, {1, 3, 48, 193}, {2, 3, 48, 192}, {2147483648L},
                {65536, 65536, 65536}, {1L << 62, 4}, {Long.MAX_VALUE}, {1, 1, 1, 1, 1, 1, 1, 1, 1}, {16777217},
                {3, 0, -5}, {4096, 4096}};
        JsonArray a = new JsonArray();
        for (long d : shapes[c.nextInt(shapes.length)]) {
            a.add(d);
        }
        if (c.oneIn(5)) {
            a.add(c.pick(List.of(new JsonPrimitive(1.5), new JsonPrimitive("3"), JsonNull.INSTANCE,
                    new JsonPrimitive(1e300), new JsonPrimitive(new java.math.BigInteger("18446744073709551617")))));
        }
        return a;
    }

    private static JsonElement hostile(Choices c) {
        return switch (c.nextInt(18)) {
            case 0 -> JsonNull.INSTANCE;
            case 1 -> new JsonPrimitive(c.oneIn(2));
            case 2 -> new JsonPrimitive("");
            case 3 -> new JsonPrimitive("x".repeat(1 + c.nextInt(5000)));
            case 4 -> new JsonPrimitive(-1);
            case 5 -> new JsonPrimitive(0);
            case 6 -> new JsonPrimitive(Long.MAX_VALUE);
            case 7 -> new JsonPrimitive(1.5);
            case 8 -> new JsonPrimitive(new java.math.BigDecimal("1e400"));
            case 9 -> new JsonPrimitive(new java.math.BigInteger("1" + "0".repeat(40)));
            case 10 -> new JsonArray();
            case 11 -> new JsonObject();
            case 12 -> {
                JsonElement e = new JsonPrimitive(1);
                for (int i = 0, n = 1 + c.nextInt(300); i < n; i++) {
                    e = wrap(e); // nesting past what a parser should follow
                }
                yield e;
            }
            case 13 -> new JsonPrimitive(c.pick(DATATYPES));
            case 14 -> hostileShape(c);
            case 15 -> new JsonPrimitive(Double.NaN);
            case 16 -> new JsonPrimitive(-2147483649L);
            default -> {
                JsonArray a = new JsonArray();
                for (int i = 0, n = c.nextInt(20); i < n; i++) {
                    a.add(c.oneIn(3) ? new JsonPrimitive("v") : new JsonPrimitive(i * 0.5));
                }
                yield a;
            }
        };
    }
}
