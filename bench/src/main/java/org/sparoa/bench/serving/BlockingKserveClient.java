package org.sparoa.bench.serving;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.sparoa.api.Tensor;
import org.sparoa.serving.client.KserveClient;

/**
 * A KServe v2 client the way Triton's own C++ HTTP client and perf_analyzer talk to a server: one kept-alive
 * HTTP/1.1 connection, blocking writes and reads on the caller's thread, {@code TCP_NODELAY}, no selector or pool
 * threads. Set beside {@link KserveClient} (the JDK's asynchronous {@code HttpClient}) it separates what the server
 * costs from what the JDK client costs. One request at a time; not thread-safe.
 */
final class BlockingKserveClient implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final String host;

    BlockingKserveClient(InetSocketAddress server) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(server, 10_000);
        socket.setSoTimeout(120_000);
        out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
        in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        host = server.getHostString() + ":" + server.getPort();
    }

    /** An infer request encoded once (binary inputs, binary outputs) and sent as often as wanted. */
    static final class Request {
        private final byte[] head;
        private final byte[] body;

        private Request(byte[] head, byte[] body) {
            this.head = head;
            this.body = body;
        }
    }

    /**
     * Encodes an infer request once, as perf_analyzer prepares its inputs before it starts timing, so that the
     * timed part is the transport and the server, not the client's encoding.
     */
    Request prepare(String model, Map<String, Tensor> inputs) {
        return encode(host, model, inputs);
    }

    /**
     * An HTTP/1.1 infer request for {@code host} ({@code name:port}): binary inputs, binary outputs asked for, the
     * request's head and body as they go on the wire. The open-loop generator sends the same bytes.
     */
    static Request encode(String host, String model, Map<String, Tensor> inputs) {
        KserveClient.Body body = KserveClient.binaryBody(inputs, true);
        String head = "POST /v2/models/" + model + "/infer HTTP/1.1\r\n"
                + "Host: " + host + "\r\n"
                + "Content-Type: application/octet-stream\r\n"
                + KserveClient.HEADER_LENGTH + ": " + body.jsonLength() + "\r\n"
                + "Content-Length: " + body.bytes().length + "\r\n\r\n";
        return new Request(head.getBytes(StandardCharsets.US_ASCII), body.bytes());
    }

    /** The request's bytes, head then body, in one buffer. */
    static ByteBuffer wire(Request request) {
        ByteBuffer b = ByteBuffer.allocateDirect(request.head.length + request.body.length);
        b.put(request.head).put(request.body).flip();
        return b;
    }

    /** Sends a prepared request and reads the whole answer; outputs by name, in the server's order. */
    Map<String, Tensor> infer(Request request) throws IOException {
        out.write(request.head);
        out.write(request.body);
        out.flush();
        return KserveClient.outputs(readResponse());
    }

    private KserveClient.Response readResponse() throws IOException {
        String status = readLine();
        if (!status.startsWith("HTTP/1.1 ") || status.length() < 12) {
            throw new IOException("not an HTTP/1.1 status line: " + status);
        }
        int code = Integer.parseInt(status.substring(9, 12));
        long length = -1;
        String jsonLength = null;
        String contentType = null;
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("malformed header line: " + line);
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                length = Long.parseLong(value);
            } else if (name.equalsIgnoreCase(KserveClient.HEADER_LENGTH)) {
                jsonLength = value;
            } else if (name.equalsIgnoreCase("Content-Type")) {
                contentType = value;
            } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                throw new IOException("chunked answers are not read by this client; the server sent " + value);
            }
        }
        if (length < 0 || length > Integer.MAX_VALUE) {
            throw new IOException("answer without a usable Content-Length: " + length);
        }
        byte[] body = in.readNBytes((int) length);
        if (body.length != length) {
            throw new EOFException("answer ended after " + body.length + " of " + length + " bytes");
        }
        Map<String, List<String>> headers = new java.util.LinkedHashMap<>();
        if (jsonLength != null) {
            headers.put(KserveClient.HEADER_LENGTH, List.of(jsonLength));
        }
        if (contentType != null) {
            headers.put("Content-Type", List.of(contentType));
        }
        return new KserveClient.Response(code, headers, body);
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder(64);
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new EOFException("connection closed in the answer's head");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
