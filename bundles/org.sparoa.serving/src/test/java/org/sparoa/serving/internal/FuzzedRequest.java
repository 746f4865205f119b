package org.sparoa.serving.internal;

import java.nio.charset.StandardCharsets;

/** One request as the fuzzer makes it: method, path below {@code /v2}, Inference-Header-Content-Length, body. */
record FuzzedRequest(String method, String path, String headerLength, byte[] body) {

    HttpExchange exchange() {
        return new HttpExchange(method, path, n -> n.equalsIgnoreCase(InferRequestDecoder.HEADER_LENGTH)
                ? headerLength : null, body);
    }

    /** For a failure message: what was sent, the body cut short. */
    String describe() {
        String text = new String(body, 0, Math.min(body.length, 600), StandardCharsets.UTF_8);
        return method + " " + abbreviate(path) + " " + InferRequestDecoder.HEADER_LENGTH + "=" + abbreviate(headerLength)
                + ", " + body.length + " bytes: " + text + (body.length > 600 ? "..." : "");
    }

    private static String abbreviate(String s) {
        return s == null ? null : s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
