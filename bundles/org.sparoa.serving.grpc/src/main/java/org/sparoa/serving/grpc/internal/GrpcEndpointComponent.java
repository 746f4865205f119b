package org.sparoa.serving.grpc.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Dictionary;
import java.util.Hashtable;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.api.ModelRegistry;
import org.sparoa.batching.BatchingService;
import org.sparoa.serving.core.ModelRepository;
import org.sparoa.serving.core.RequestMetrics;
import org.sparoa.serving.grpc.GrpcEndpoint;

/**
 * The KServe v2 / Triton gRPC endpoint while this bundle runs: listens when activated, stops listening (and ends all
 * its threads) when deactivated; a configuration change restarts it. Registers {@link GrpcEndpoint} with its address.
 */
@Component(immediate = true, service = {}, configurationPid = GrpcEndpointComponent.PID)
@Designate(ocd = GrpcEndpointComponent.Config.class)
public class GrpcEndpointComponent {
    public static final String PID = "org.sparoa.serving.grpc";
    private static final Logger LOG = LoggerFactory.getLogger(GrpcEndpointComponent.class);

    @ObjectClassDefinition(name = "SparOA serving (KServe v2 / Triton gRPC)")
    public @interface Config {
        @AttributeDefinition(description = "Address to listen on (127.0.0.1: this machine only; the endpoint has no "
                + "authentication)")
        String host() default "127.0.0.1";

        @AttributeDefinition(description = "Port (Triton's gRPC default is 8001; 0: a free port)")
        int port() default 8001;

        @AttributeDefinition(description = "Largest request message, bytes; a larger one is refused with "
                + "RESOURCE_EXHAUSTED")
        int maxMessageBytes() default 64 << 20;

        @AttributeDefinition(description = "Most elements of one input tensor; more is refused with INVALID_ARGUMENT")
        long maxTensorElements() default 16L << 20;

        @AttributeDefinition(description = "Refuse NaN and Inf in FP32/FP64 inputs with INVALID_ARGUMENT")
        boolean rejectNonFinite() default true;

        @AttributeDefinition(description = "Time an infer may take, queue included, when the client sets no "
                + "deadline, ms (0: the batching engine's default)")
        long requestTimeoutMillis() default 0;

        @AttributeDefinition(description = "Folder where RepositoryModelLoad finds NAME.onnx (empty: the "
                + "distribution's models/ folder)")
        String modelRepository() default "";
    }

    private final GrpcServer server;
    private final ServiceRegistration<GrpcEndpoint> registration;
    /** The request metrics (the HTTP bundle's Prometheus endpoint), when they run: infer calls are counted there. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile RequestMetrics metrics;

    @Activate
    public GrpcEndpointComponent(@Reference ModelRegistry models, @Reference BatchingService batching, Config c,
                                 BundleContext context) throws IOException {
        server = new GrpcServer(models, batching, settings(c), RequestMetrics.current(() -> metrics));
        InetSocketAddress a = server.address();
        String address = a.getAddress().getHostAddress() + ":" + a.getPort();
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(GrpcEndpoint.PROPERTY_KIND, GrpcEndpoint.KIND);
        props.put(GrpcEndpoint.PROPERTY_ADDRESS, address);
        registration = context.registerService(GrpcEndpoint.class, server, props);
        LOG.info("KServe v2 / Triton gRPC endpoint listening on {}", address);
    }

    static GrpcSettings settings(Config c) {
        return new GrpcSettings(c.host(), c.port(), c.maxMessageBytes(), c.maxTensorElements(), c.rejectNonFinite(),
                c.requestTimeoutMillis(), ModelRepository.folder(c.modelRepository()));
    }

    @Deactivate
    void deactivate() {
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the bundle is stopping: the framework unregistered it
        }
        server.close();
        LOG.info("KServe v2 / Triton gRPC endpoint stopped");
    }
}
