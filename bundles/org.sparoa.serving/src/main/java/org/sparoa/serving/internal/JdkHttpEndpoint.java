package org.sparoa.serving.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpServer;

import org.sparoa.api.ModelRegistry;
import org.sparoa.batching.BatchingService;
import org.sparoa.serving.core.RequestMetrics;

/**
 * The KServe v2 handler behind the JDK's own HTTP server on a free loopback port, outside OSGi: for the conformance
 * tests and the load generator (in Karaf the same handler runs in Jetty as {@link KserveServlet}).
 */
public final class JdkHttpEndpoint implements AutoCloseable {
    private static final String NODELAY = "sun.net.httpserver.nodelay";
    private final HttpServer server;
    private final ExecutorService threads;

    public JdkHttpEndpoint(ModelRegistry models, BatchingService batching, long maxRequestBytes, long maxTensorElements,
                           java.nio.file.Path repository, int threadCount) throws IOException {
        // 0 threads: requests run on the server's dispatcher thread, one at a time, without a hand-off
        this.threads = threadCount <= 0 ? null : Executors.newFixedThreadPool(threadCount, r -> {
            Thread t = new Thread(r, "sparoa-http");
            t.setDaemon(true);
            return t;
        });
        KserveHandler handler = new KserveHandler(models, batching, new ServingSettings(maxRequestBytes,
                maxTensorElements, true, 0, repository), RequestMetrics.NONE);
        // the JDK server writes headers and body apart: without TCP_NODELAY each small answer waits ~40 ms for the
        // client's delayed ACK (Nagle). The property is read once, when the first server is made.
        if (System.getProperty(NODELAY) == null) {
            System.setProperty(NODELAY, "true");
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/v2", ex -> {
            HttpExchange.Answer a;
            try {
                String len = ex.getRequestHeaders().getFirst("Content-Length");
                byte[] body = BodyReader.read(ex.getRequestBody(), len == null ? -1 : Long.parseLong(len),
                        maxRequestBytes);
                String path = ex.getRequestURI().getPath().substring("/v2".length());
                a = handler.handle(new HttpExchange(ex.getRequestMethod(), path,
                        n -> ex.getRequestHeaders().getFirst(n), body));
            } catch (HttpError e) {
                a = KserveHandler.error(e.status, e.getMessage(), e.headers);
            }
            ex.getResponseHeaders().set("Content-Type", a.contentType());
            for (Map.Entry<String, String> h : a.headers().entrySet()) {
                ex.getResponseHeaders().set(h.getKey(), h.getValue());
            }
            ex.sendResponseHeaders(a.status(), a.body().length == 0 ? -1 : a.body().length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(a.body());
            }
        });
        server.setExecutor(threads);
        server.start();
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
        server.stop(0);
        if (threads != null) {
            threads.shutdownNow();
        }
    }
}
