package org.sparoa.serving.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.google.gson.stream.JsonWriter;

import org.sparoa.api.Tensor;
import org.sparoa.serving.core.KserveTypes;

/**
 * Encodes an infer response: JSON with every output's name, datatype and shape, its elements either in {@code data}
 * or, when the request asked for binary output, as raw little-endian bytes after the JSON (announced by
 * {@code parameters.binary_data_size} and the {@code Inference-Header-Content-Length} header).
 */
final class InferResponseEncoder {
    private InferResponseEncoder() {
    }

    static HttpExchange.Answer encode(String model, InferRequest request, Map<String, Tensor> outputs) {
        List<String> names = new ArrayList<>();
        List<Boolean> binary = new ArrayList<>();
        if (request.outputs().isEmpty()) {
            for (String n : outputs.keySet()) {
                names.add(n);
                binary.add(request.binaryByDefault());
            }
        } else {
            for (InferRequest.RequestedOutput o : request.outputs()) {
                if (!outputs.containsKey(o.name())) {
                    throw HttpError.badRequest("model " + model + " has no output '" + o.name() + "'; its outputs are "
                            + outputs.keySet());
                }
                names.add(o.name());
                binary.add(o.binary() != null ? o.binary() : request.binaryByDefault());
            }
        }
        ByteArrayOutputStream json = new ByteArrayOutputStream(256);
        List<ByteBuffer> tails = new ArrayList<>();
        try (JsonWriter w = new JsonWriter(new OutputStreamWriter(json, StandardCharsets.UTF_8))) {
            w.setLenient(true); // NaN and Infinity outputs are written as such
            w.beginObject();
            w.name("model_name").value(model);
            w.name("model_version").value("1");
            if (request.id() != null) {
                w.name("id").value(request.id());
            }
            w.name("outputs").beginArray();
            for (int i = 0; i < names.size(); i++) {
                Tensor t = outputs.get(names.get(i));
                w.beginObject();
                w.name("name").value(names.get(i));
                w.name("datatype").value(KserveTypes.kserve(t.type()));
                w.name("shape").beginArray();
                for (long d : t.shape()) {
                    w.value(d);
                }
                w.endArray();
                if (binary.get(i)) {
                    w.name("parameters").beginObject().name("binary_data_size").value(t.byteSize()).endObject();
                    tails.add(t.bytes());
                } else {
                    w.name("data");
                    JsonTensors.write(w, t);
                }
                w.endObject();
            }
            w.endArray();
            w.endObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (tails.isEmpty()) {
            return new HttpExchange.Answer(200, "application/json", Map.of(), json.toByteArray());
        }
        int jsonLength = json.size();
        for (ByteBuffer b : tails) {
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            json.writeBytes(bytes);
        }
        return new HttpExchange.Answer(200, "application/octet-stream",
                Map.of(InferRequestDecoder.HEADER_LENGTH, Integer.toString(jsonLength)), json.toByteArray());
    }
}
