package org.sparoa.bench.serving;

import java.lang.annotation.Annotation;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.sparoa.serving.internal.KserveServlet;

/** The KServe v2 servlet on Jetty 9.4 (the Jetty of Karaf 4.4.10's Pax Web 8), without Pax Web's own layers. */
final class JettyKserve {
    private JettyKserve() {
    }

    /** Starts the servlet under {@code /v2/*} on a free loopback port, with at most {@code maxThreads} threads. */
    static Server start(KserveServlet servlet, int maxThreads) throws Exception {
        Server server = new Server(new QueuedThreadPool(maxThreads, Math.min(8, maxThreads)));
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addServlet(new ServletHolder(servlet), "/v2/*");
        server.setHandler(context);
        server.start();
        return server;
    }

    static int port(Server server) {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    /** The endpoint's defaults as the distribution ships them (64 MiB requests, 16 Mi elements, NaN refused). */
    static KserveServlet.Config servletConfig() {
        return new KserveServlet.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return KserveServlet.Config.class;
            }

            @Override
            public long maxRequestBytes() {
                return 64L << 20;
            }

            @Override
            public long maxTensorElements() {
                return 16L << 20;
            }

            @Override
            public boolean rejectNonFinite() {
                return true;
            }

            @Override
            public long requestTimeoutMillis() {
                return 0;
            }

            @Override
            public String modelRepository() {
                return "";
            }
        };
    }
}
