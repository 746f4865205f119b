package org.sparoa.serving.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reads a request body, refusing (413) one larger than the limit before it is read whole. */
final class BodyReader {
    private static final long DRAIN_LIMIT = 256L << 20;
    private BodyReader() {
    }

    /** {@code declaredLength}: the Content-Length header, -1 when absent (chunked). */
    static byte[] read(InputStream in, long declaredLength, long limit) throws IOException {
        if (declaredLength > limit) {
            // read and drop a moderately larger body so that the client gets to read the 413 (a server that answers
            // before the body is consumed gets its connection reset under many clients); a huge one is not drained
            if (declaredLength <= DRAIN_LIMIT) {
                in.skipNBytes(declaredLength);
            }
            throw tooLarge(declaredLength, limit);
        }
        if (declaredLength >= 0) {
            byte[] body = in.readNBytes((int) declaredLength);
            if (body.length < declaredLength) {
                throw HttpError.badRequest("request body truncated: Content-Length is " + declaredLength
                        + " bytes, only " + body.length + " arrived");
            }
            return body;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        long total = 0;
        for (int n; (n = in.read(buf)) > 0; ) {
            total += n;
            if (total > limit) {
                throw tooLarge(total, limit);
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private static HttpError tooLarge(long size, long limit) {
        return new HttpError(413, "request body of " + size + " bytes exceeds the limit of " + limit
                + " bytes (org.sparoa.serving maxRequestBytes)");
    }
}
