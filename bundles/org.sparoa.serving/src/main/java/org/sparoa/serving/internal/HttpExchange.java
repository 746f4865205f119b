package org.sparoa.serving.internal;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * One HTTP request as the protocol sees it, whatever server carried it: method, path below {@code /v2}, a header
 * lookup (case-insensitive) and the whole body.
 */
record HttpExchange(String method, String path, UnaryOperator<String> header, byte[] body) {

    /** The answer: status, content type, extra headers, body. */
    record Answer(int status, String contentType, Map<String, String> headers, byte[] body) {

        static Answer json(int status, String json) {
            return new Answer(status, "application/json", Map.of(), json.getBytes(StandardCharsets.UTF_8));
        }

        Answer withHeader(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Answer(status, contentType, h, body);
        }
    }
}
