package org.sparoa.serving.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.sparoa.api.DataType;
import org.sparoa.api.Tensor;
import org.sparoa.serving.core.KserveTypes;

/**
 * A KServe v2 HTTP client over the JDK's {@link HttpClient}: metadata calls, and {@code infer} with the binary
 * tensor data extension (inputs and outputs as raw little-endian bytes after a JSON header) or with JSON tensors.
 */
public final class KserveClient {
    public static final String HEADER_LENGTH = "Inference-Header-Content-Length";
    private final URI base;
    private final HttpClient http;

    /** {@code base}: the server's root, e.g. {@code http://127.0.0.1:8000}. */
    public KserveClient(URI base) {
        this(base, false);
    }

    /**
     * {@code direct}: the client's own work (reading an answer, completing the caller's wait) runs on its selector
     * thread instead of a pool, one thread hand-off less per request; for a caller that waits on one request at a time.
     */
    public KserveClient(URI base, boolean direct) {
        this.base = base;
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10));
        if (direct) {
            b.executor(Runnable::run);
        }
        this.http = b.build();
    }

    /** An HTTP answer: status, headers, body. */
    public record Response(int status, Map<String, List<String>> headers, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public JsonElement json() {
            return JsonParser.parseString(text());
        }

        public String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    /** A non-200 answer to an infer call, with the server's {@code error} message. */
    public static final class KserveException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;

        public KserveException(int status, String message) {
            super("HTTP " + status + ": " + message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    public Response get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(120)).GET().build());
    }

    /** POSTs a body; {@code headers} may be empty (then no Content-Type is sent at all, as one client does). */
    public Response post(String path, Map<String, String> headers, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        return send(b.build());
    }

    private Response send(HttpRequest r) throws IOException, InterruptedException {
        HttpResponse<byte[]> resp = http.send(r, HttpResponse.BodyHandlers.ofByteArray());
        return new Response(resp.statusCode(), resp.headers().map(), resp.body());
    }

    /** Infers with binary inputs and binary outputs; outputs by name, in the server's order. */
    public Map<String, Tensor> inferBinary(String model, Map<String, Tensor> inputs) throws IOException,
            InterruptedException {
        Body body = binaryBody(inputs, true);
        Response r = post("/v2/models/" + model + "/infer", Map.of(HEADER_LENGTH, Integer.toString(body.jsonLength),
                "Content-Type", "application/octet-stream"), body.bytes);
        return outputs(r);
    }

    /** Infers with JSON inputs and JSON outputs. */
    public Map<String, Tensor> inferJson(String model, Map<String, Tensor> inputs) throws IOException,
            InterruptedException {
        Response r = post("/v2/models/" + model + "/infer", Map.of("Content-Type", "application/json"),
                jsonBody(inputs).getBytes(StandardCharsets.UTF_8));
        return outputs(r);
    }

    /** The outputs of a 200 answer, else a {@link KserveException} with the server's message. */
    public static Map<String, Tensor> outputs(Response r) {
        if (r.status() != 200) {
            String msg = r.text();
            try {
                msg = r.json().getAsJsonObject().get("error").getAsString();
            } catch (RuntimeException e) {
                // not the protocol's error object: keep the raw text
            }
            throw new KserveException(r.status(), msg);
        }
        String h = r.header(HEADER_LENGTH);
        int jsonLength = h == null ? r.body().length : Integer.parseInt(h.trim());
        JsonObject json = JsonParser.parseString(new String(r.body(), 0, jsonLength, StandardCharsets.UTF_8))
                .getAsJsonObject();
        Map<String, Tensor> out = new LinkedHashMap<>();
        int offset = jsonLength;
        for (JsonElement e : json.getAsJsonArray("outputs")) {
            JsonObject o = e.getAsJsonObject();
            DataType type = dataType(o.get("datatype").getAsString());
            JsonArray s = o.getAsJsonArray("shape");
            long[] shape = new long[s.size()];
            long count = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = s.get(i).getAsLong();
                count *= shape[i];
            }
            ByteBuffer data;
            if (o.has("parameters") && o.getAsJsonObject("parameters").has("binary_data_size")) {
                int n = o.getAsJsonObject("parameters").get("binary_data_size").getAsInt();
                data = ByteBuffer.wrap(r.body(), offset, n).slice();
                offset += n;
            } else {
                data = ByteBuffer.allocate((int) (count * type.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
                for (JsonElement v : o.getAsJsonArray("data")) {
                    switch (type) {
                        case FLOAT -> data.putFloat(v.getAsFloat());
                        case DOUBLE -> data.putDouble(v.getAsDouble());
                        case INT64 -> data.putLong(v.getAsLong());
                        case INT32 -> data.putInt(v.getAsInt());
                        case BOOL -> data.put((byte) (v.getAsBoolean() ? 1 : 0));
                        default -> throw new IllegalStateException("JSON output of type " + type + " not decoded");
                    }
                }
                data.flip();
            }
            out.put(o.get("name").getAsString(), Tensor.of(type, shape, data));
        }
        return out;
    }

    /** A request body with the binary tensor data extension: JSON header, then each input's bytes in order. */
    public record Body(byte[] bytes, int jsonLength) {
    }

    public static Body binaryBody(Map<String, Tensor> inputs, boolean binaryOutputs) {
        JsonObject json = new JsonObject();
        json.addProperty("id", "");
        JsonArray ins = new JsonArray();
        for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
            JsonObject in = header(e.getKey(), e.getValue());
            JsonObject p = new JsonObject();
            p.addProperty("binary_data_size", e.getValue().byteSize());
            in.add("parameters", p);
            ins.add(in);
        }
        json.add("inputs", ins);
        if (binaryOutputs) {
            JsonObject p = new JsonObject();
            p.addProperty("binary_data_output", true);
            json.add("parameters", p);
        }
        byte[] head = json.toString().getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head);
        for (Tensor t : inputs.values()) {
            ByteBuffer b = t.bytes();
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            out.writeBytes(bytes);
        }
        return new Body(out.toByteArray(), head.length);
    }

    /** A JSON-only request body (FP32, FP64, INT32, INT64 and BOOL inputs). */
    public static String jsonBody(Map<String, Tensor> inputs) {
        JsonObject json = new JsonObject();
        JsonArray ins = new JsonArray();
        for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
            JsonObject in = header(e.getKey(), e.getValue());
            JsonArray data = new JsonArray();
            Tensor t = e.getValue();
            switch (t.type()) {
                case FLOAT, DOUBLE -> { for (float v : t.toFloatArray()) data.add(v); }
                case BOOL -> { for (long v : t.toLongArray()) data.add(v != 0); }
                default -> { for (long v : t.toLongArray()) data.add(v); }
            }
            in.add("data", data);
            ins.add(in);
        }
        json.add("inputs", ins);
        return json.toString();
    }

    private static JsonObject header(String name, Tensor t) {
        JsonObject in = new JsonObject();
        in.addProperty("name", name);
        in.addProperty("datatype", datatype(t.type()));
        JsonArray shape = new JsonArray();
        for (long d : t.shape()) {
            shape.add(d);
        }
        in.add("shape", shape);
        return in;
    }

    /** The KServe datatype name of an element type ("FP32"). */
    public static String datatype(DataType t) {
        return KserveTypes.kserve(t);
    }

    /** The element type of a KServe datatype name ("BYTES": STRING). */
    public static DataType dataType(String kserve) {
        return KserveTypes.parse(kserve).orElseThrow(() -> new IllegalArgumentException("unknown KServe datatype '"
                + kserve + "'"));
    }
}
