package org.sparoa.serving.internal;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.InvalidInputException;
import org.sparoa.api.Model;
import org.sparoa.api.ModelFormatException;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.SparoaException;
import org.sparoa.api.UnknownModelException;
import org.sparoa.batching.BatchingService;
import org.sparoa.batching.DeadlineExceededException;
import org.sparoa.batching.QueueFullException;
import org.sparoa.serving.core.InputChecks;
import org.sparoa.serving.core.ModelRepository;
import org.sparoa.serving.core.RepositoryEntry;
import org.sparoa.serving.core.RequestMetrics;

/**
 * The KServe v2 (Open Inference Protocol) HTTP API as Triton serves it, below {@code /v2}: server and model metadata,
 * health, Triton's model configuration and repository extensions, and {@code infer} with JSON and binary tensors.
 * Independent of the servlet container, so that the same code answers in Karaf and in tests.
 */
final class KserveHandler {
    private static final Logger LOG = LoggerFactory.getLogger(KserveHandler.class);
    static final String SERVER_NAME = "sparoa";
    static final String VERSION = "0.1.0";
    private final ModelRegistry models;
    private final BatchingService batching;
    private final ServingSettings settings;
    private final InferRequestDecoder decoder;
    private final ModelRepository repository;
    private final RequestMetrics metrics;

    KserveHandler(ModelRegistry models, BatchingService batching, ServingSettings settings, RequestMetrics metrics) {
        this.models = models;
        this.batching = batching;
        this.settings = settings;
        this.decoder = new InferRequestDecoder(new InputChecks(settings.maxTensorElements(),
                settings.rejectNonFinite(), KserveServlet.PID));
        this.repository = new ModelRepository(models, settings.modelRepository(), KserveServlet.PID);
        this.metrics = metrics;
    }

    ServingSettings settings() {
        return settings;
    }

    HttpExchange.Answer handle(HttpExchange x) {
        try {
            return route(x);
        } catch (HttpError e) {
            return error(e.status, e.getMessage(), e.headers);
        } catch (QueueFullException e) {
            long seconds = Math.max(1, (e.retryAfterMillis() + 999) / 1000);
            return error(503, e.getMessage(), Map.of("Retry-After", Long.toString(seconds)));
        } catch (RuntimeException e) {
            int status = status(e);
            if (status != 500) {
                return error(status, e.getMessage(), Map.of());
            }
            if (e instanceof SparoaException) {
                LOG.warn("{} {} failed: {}", x.method(), x.path(), e.getMessage());
                return error(500, e.getMessage(), Map.of());
            }
            LOG.error("{} {} failed", x.method(), x.path(), e);
            return error(500, "internal error: " + e, Map.of());
        }
    }

    /** The HTTP status that answers an exception (the platform's, the batching engine's, or this endpoint's). */
    static int status(RuntimeException e) {
        if (e instanceof HttpError h) {
            return h.status;
        } else if (e instanceof UnknownModelException) {
            return 404;
        } else if (e instanceof InvalidInputException || e instanceof ModelFormatException) {
            return 400;
        } else if (e instanceof QueueFullException) {
            return 503;
        } else if (e instanceof DeadlineExceededException) {
            return 504;
        }
        return 500;
    }

    static HttpExchange.Answer error(int status, String message, Map<String, String> headers) {
        JsonObject o = new JsonObject();
        o.addProperty("error", message == null ? "error" : message);
        HttpExchange.Answer a = HttpExchange.Answer.json(status, o.toString());
        for (Map.Entry<String, String> h : headers.entrySet()) {
            a = a.withHeader(h.getKey(), h.getValue());
        }
        return a;
    }

    private HttpExchange.Answer route(HttpExchange x) {
        String path = x.path() == null ? "" : x.path();
        while (path.endsWith("/") && path.length() > 0) {
            path = path.substring(0, path.length() - 1);
        }
        String[] p = path.isEmpty() ? new String[0] : path.substring(path.startsWith("/") ? 1 : 0).split("/");
        String method = x.method();
        if (p.length == 0) {
            requireMethod(method, "GET", path);
            return json(serverMetadata());
        }
        switch (p[0]) {
            case "health":
                requireMethod(method, "GET", path);
                if (p.length == 2 && (p[1].equals("live") || p[1].equals("ready"))) {
                    return HttpExchange.Answer.json(200, "");
                }
                break;
            case "models":
                if (p.length >= 2) {
                    return model(x, p);
                }
                break;
            case "repository":
                return repository(x, p);
            default:
                break;
        }
        throw HttpError.notFound("no such endpoint: " + method + " /v2" + path);
    }

    private static void requireMethod(String method, String expected, String path) {
        if (!expected.equals(method)) {
            throw new HttpError(405, method + " is not allowed on /v2" + path + "; use " + expected);
        }
    }

    private static JsonObject serverMetadata() {
        JsonObject o = new JsonObject();
        o.addProperty("name", SERVER_NAME);
        o.addProperty("version", VERSION);
        JsonArray ext = new JsonArray();
        ext.add("binary_tensor_data");
        ext.add("model_configuration");
        ext.add("model_repository");
        o.add("extensions", ext);
        return o;
    }

    /** {@code /models/{m}[/versions/{v}][/ready|/config|/infer]}. */
    private HttpExchange.Answer model(HttpExchange x, String[] p) {
        String name = p[1];
        int i = 2;
        if (p.length >= 4 && p[2].equals("versions")) {
            if (!p[3].equals("1")) {
                models.require(name); // 404 for the model first
                throw HttpError.notFound("model " + name + " has no version " + p[3] + "; its only version is 1");
            }
            i = 4;
        }
        String action = p.length > i ? p[i] : "";
        if (p.length > i + 1) {
            throw HttpError.notFound("no such endpoint: /v2/" + String.join("/", p));
        }
        switch (action) {
            case "":
                requireMethod(x.method(), "GET", "/models/" + name);
                return json(ModelDescriptions.metadata(models.require(name)));
            case "ready":
                requireMethod(x.method(), "GET", "/models/" + name + "/ready");
                models.require(name);
                return HttpExchange.Answer.json(200, "");
            case "config":
                requireMethod(x.method(), "GET", "/models/" + name + "/config");
                Model m = models.require(name);
                return json(ModelDescriptions.config(m, batching.isBatchable(name)
                        ? batching.settings(name).maxBatch() : 0));
            case "infer":
                requireMethod(x.method(), "POST", "/models/" + name + "/infer");
                return infer(name, x);
            default:
                throw HttpError.notFound("no such endpoint: /v2/" + String.join("/", p));
        }
    }

    private HttpExchange.Answer infer(String name, HttpExchange x) {
        long start = System.nanoTime();
        int status = 500;
        try {
            models.require(name);
            InferRequest request = decoder.decode(x.body(), x.header().apply(InferRequestDecoder.HEADER_LENGTH));
            InputChecks.batch(batching, name, request.inputs());
            InferenceResult result = batching.infer(name, request.inputs(), settings.requestTimeoutMillis());
            HttpExchange.Answer a = InferResponseEncoder.encode(name, request, result.outputs());
            status = a.status();
            return a;
        } catch (RuntimeException e) {
            status = status(e);
            throw e;
        } finally {
            metrics.request(name, status, System.nanoTime() - start);
        }
    }

    private HttpExchange.Answer repository(HttpExchange x, String[] p) {
        if (p.length == 2 && p[1].equals("index")) {
            requireMethod(x.method(), "POST", "/repository/index");
            boolean ready = false;
            if (x.body().length > 0) {
                try {
                    JsonElement e = JsonParser.parseString(new String(x.body(), StandardCharsets.UTF_8));
                    ready = e.isJsonObject() && e.getAsJsonObject().has("ready")
                            && e.getAsJsonObject().get("ready").getAsBoolean();
                } catch (RuntimeException e) {
                    throw HttpError.badRequest("repository index request is not valid JSON: " + e.getMessage());
                }
            }
            return HttpExchange.Answer.json(200, index(repository.index(ready)).toString());
        }
        if (p.length == 4 && p[1].equals("models") && (p[3].equals("load") || p[3].equals("unload"))) {
            requireMethod(x.method(), "POST", "/repository/models/" + p[2] + "/" + p[3]);
            if (p[3].equals("load")) {
                repository.load(p[2]);
            } else {
                repository.unload(p[2]);
            }
            return HttpExchange.Answer.json(200, "");
        }
        throw HttpError.notFound("no such endpoint: /v2/" + String.join("/", p));
    }

    private static JsonArray index(List<RepositoryEntry> entries) {
        JsonArray a = new JsonArray();
        for (RepositoryEntry e : entries) {
            JsonObject o = new JsonObject();
            o.addProperty("name", e.name());
            o.addProperty("version", e.version());
            o.addProperty("state", e.state());
            if (!e.ready()) {
                o.addProperty("reason", e.reason());
            }
            a.add(o);
        }
        return a;
    }

    private static HttpExchange.Answer json(JsonObject o) {
        return HttpExchange.Answer.json(200, o.toString());
    }
}
