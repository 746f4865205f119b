package org.sparoa.serving.internal;

import java.nio.charset.StandardCharsets;
import java.util.Set;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import org.sparoa.api.InvalidInputException;
import org.sparoa.serving.core.InputChecks;

/**
 * What every request must get: decoded, or refused with the endpoint's own {@link HttpError} 400 or the platform's
 * {@link InvalidInputException} (which the endpoint answers 400), whose message says what is wrong; over HTTP, a 200 or a 4xx with {@code {"error": "..."}}. Anything else (another exception, an
 * {@link Error} such as OutOfMemoryError or StackOverflowError, a 500) is a finding, rethrown as an
 * {@link AssertionError} that names the request.
 */
final class RequestHarness {
    enum Outcome { DECODED, REFUSED }

    /** The statuses a client's request may earn; 500 means the server broke. */
    static final Set<Integer> CLIENT_STATUSES = Set.of(400, 404, 405, 413);
    /** The endpoint's defaults (org.sparoa.serving). */
    static final InferRequestDecoder DECODER = new InferRequestDecoder(new InputChecks(16L << 20, true, KserveServlet.PID));

    private RequestHarness() {
    }

    static Outcome decode(FuzzedRequest r) {
        try {
            DECODER.decode(r.body(), r.headerLength());
            return Outcome.DECODED;
        } catch (HttpError e) {
            if (e.status != 400) {
                throw new AssertionError("the decoder answered " + e.status + " instead of 400: " + e.getMessage()
                        + "\nrequest: " + r.describe(), e);
            }
            return refused(e.getMessage(), r);
        } catch (InvalidInputException e) {
            return refused(e.getMessage(), r);
        } catch (Throwable t) {
            throw new AssertionError("the decoder failed with a foreign " + t + "\nrequest: " + r.describe(), t);
        }
    }

    /** Sends the request through the whole handler (routing, decoding, batching, inference); returns the status. */
    static int exchange(KserveHandler handler, FuzzedRequest r) {
        HttpExchange.Answer a;
        try {
            a = handler.handle(r.exchange());
        } catch (Throwable t) {
            throw new AssertionError("the handler failed with " + t + "\nrequest: " + r.describe(), t);
        }
        if (a.status() == 200) {
            return 200;
        }
        String text = new String(a.body(), StandardCharsets.UTF_8);
        if (!CLIENT_STATUSES.contains(a.status())) {
            throw new AssertionError("answered " + a.status() + " " + text + "\nrequest: " + r.describe());
        }
        String error;
        try {
            JsonElement e = JsonParser.parseString(text);
            error = e.getAsJsonObject().get("error").getAsString();
        } catch (RuntimeException e) {
            throw new AssertionError("a " + a.status() + " without {\"error\": ...}: " + text + "\nrequest: "
                    + r.describe(), e);
        }
        refused(error, r);
        return a.status();
    }

    private static Outcome refused(String message, FuzzedRequest r) {
        if (message == null || message.isBlank()) {
            throw new AssertionError("refused without saying why\nrequest: " + r.describe());
        }
        return Outcome.REFUSED;
    }
}
