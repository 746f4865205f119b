package org.sparoa.serving.grpc.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;

import org.sparoa.api.ModelRegistry;
import org.sparoa.batching.BatchingService;
import org.sparoa.serving.core.RequestMetrics;
import org.sparoa.serving.grpc.GrpcEndpoint;

/**
 * The gRPC server: Netty on its own event loops and its own call threads, all of which {@link #close()} ends (no
 * thread of grpc-java's shared pools is used, so that a stopped bundle leaves nothing running). Usable outside OSGi.
 */
public final class GrpcServer implements GrpcEndpoint, AutoCloseable {
    private final EventLoopGroup boss = new NioEventLoopGroup(1, named("sparoa-grpc-accept"));
    private final EventLoopGroup workers = new NioEventLoopGroup(1, named("sparoa-grpc-io"));
    private final ExecutorService calls;
    private final Server server;

    public GrpcServer(ModelRegistry models, BatchingService batching, GrpcSettings settings) throws IOException {
        this(models, batching, settings, RequestMetrics.NONE);
    }

    /** @param metrics where each infer call is reported (model, the HTTP status of its gRPC code, time) */
    public GrpcServer(ModelRegistry models, BatchingService batching, GrpcSettings settings, RequestMetrics metrics)
            throws IOException {
        // a call waits in the batching engine: one thread per call in flight, as many as the engine's queues admit
        calls = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                named("sparoa-grpc-call"));
        server = NettyServerBuilder.forAddress(new InetSocketAddress(settings.host(), settings.port()))
                .bossEventLoopGroup(boss).workerEventLoopGroup(workers).channelType(NioServerSocketChannel.class)
                .executor(calls).maxInboundMessageSize(settings.maxMessageBytes())
                .addService(new InferenceGrpcService(models, batching, settings, metrics)).build();
        try {
            server.start();
        } catch (IOException | RuntimeException e) {
            close();
            throw new IOException("cannot listen for gRPC on " + settings.host() + ":" + settings.port() + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public InetSocketAddress address() {
        return (InetSocketAddress) server.getListenSockets().get(0);
    }

    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
                server.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        calls.shutdownNow();
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static java.util.concurrent.ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
