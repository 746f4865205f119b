package org.sparoa.serving.internal;

import java.io.IOException;
import java.util.Map;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.sparoa.api.ModelRegistry;
import org.sparoa.batching.BatchingService;
import org.sparoa.serving.core.ModelRepository;
import org.sparoa.serving.core.RequestMetrics;

/**
 * The KServe v2 endpoint on the OSGi HTTP whiteboard, at {@code /v2/*} (which also matches {@code GET /v2}). The
 * address and port are Pax Web's ({@code etc/org.ops4j.pax.web.cfg}: loopback by default in the distribution).
 */
@Component(service = Servlet.class, configurationPid = KserveServlet.PID, property = {
        "osgi.http.whiteboard.servlet.pattern=/v2/*",
        "osgi.http.whiteboard.servlet.name=sparoa-kserve-v2"})
@Designate(ocd = KserveServlet.Config.class)
public class KserveServlet extends HttpServlet {
    public static final String PID = "org.sparoa.serving";
    private static final long serialVersionUID = 1L;

    @ObjectClassDefinition(name = "SparOA serving (KServe v2 / Triton HTTP)")
    public @interface Config {
        @AttributeDefinition(description = "Largest request body, bytes; a larger one is answered 413")
        long maxRequestBytes() default 64L << 20;

        @AttributeDefinition(description = "Most elements of one input tensor; more is answered 400")
        long maxTensorElements() default 16L << 20;

        @AttributeDefinition(description = "Refuse NaN and Inf in FP32/FP64 inputs with 400 (load tools that fill "
                + "random bytes send NaN)")
        boolean rejectNonFinite() default true;

        @AttributeDefinition(description = "Time an infer request may take, queue included, ms (0: the batching "
                + "engine's default)")
        long requestTimeoutMillis() default 0;

        @AttributeDefinition(description = "Folder where /v2/repository/models/NAME/load finds NAME.onnx (empty: "
                + "the distribution's models/ folder)")
        String modelRepository() default "";
    }

    private final transient ModelRegistry models;
    private final transient BatchingService batching;
    /** The metrics component of this bundle, when it runs (its library is embedded: it should). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private transient volatile RequestMetrics metrics;
    private transient volatile KserveHandler handler;

    @Activate
    public KserveServlet(@Reference ModelRegistry models, @Reference BatchingService batching, Config config) {
        this.models = models;
        this.batching = batching;
        modified(config);
    }

    @Modified
    void modified(Config c) {
        handler = new KserveHandler(models, batching, settings(c), RequestMetrics.current(() -> metrics));
    }

    static ServingSettings settings(Config c) {
        return new ServingSettings(c.maxRequestBytes(), c.maxTensorElements(), c.rejectNonFinite(),
                c.requestTimeoutMillis(), ModelRepository.folder(c.modelRepository()));
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        KserveHandler h = handler;
        HttpExchange.Answer answer;
        try {
            byte[] body = req.getMethod().equals("POST")
                    ? BodyReader.read(req.getInputStream(), req.getContentLengthLong(), h.settings().maxRequestBytes())
                    : new byte[0];
            String path = req.getPathInfo();
            answer = h.handle(new HttpExchange(req.getMethod(), path == null ? "" : path, req::getHeader, body));
        } catch (HttpError e) {
            answer = KserveHandler.error(e.status, e.getMessage(), e.headers);
        }
        resp.setStatus(answer.status());
        resp.setContentType(answer.contentType());
        for (Map.Entry<String, String> e : answer.headers().entrySet()) {
            resp.setHeader(e.getKey(), e.getValue());
        }
        resp.setContentLength(answer.body().length);
        resp.getOutputStream().write(answer.body());
    }
}
