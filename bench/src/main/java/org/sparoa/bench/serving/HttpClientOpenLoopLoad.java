package org.sparoa.bench.serving;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.sparoa.api.Tensor;
import org.sparoa.serving.client.KserveClient;

/**
 * The same open-loop Poisson load as {@link OpenLoopLoad}, sent with the JDK's asynchronous {@code HttpClient} (its
 * selector thread, a future per request): what an application written with the JDK's client costs the machine. On the
 * two cores the server also runs on it costs about as much CPU per request as the server's own HTTP work, so the
 * sweep uses {@link OpenLoopLoad} unless {@code -Dbench.loadClient=jdk} asks for this one. The latency of a request
 * runs from its scheduled arrival to its answer.
 */
final class HttpClientOpenLoopLoad {
    private HttpClientOpenLoopLoad() {
    }

    static List<OpenLoopLoad.Outcome> run(URI base, String model, Map<String, Tensor> input, double perSecond,
                                          double seconds, long seed) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        KserveClient.Body body = KserveClient.binaryBody(input, true);
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/v2/models/" + model + "/infer"))
                .timeout(Duration.ofSeconds(60))
                .header(KserveClient.HEADER_LENGTH, Integer.toString(body.jsonLength()))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.bytes())).build();
        Random rnd = new Random(seed);
        ConcurrentLinkedQueue<OpenLoopLoad.Outcome> outcomes = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long next = start;
        while (next < end) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            long scheduled = next;
            pending.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).handle((r, e) -> {
                outcomes.add(new OpenLoopLoad.Outcome(scheduled - start, System.nanoTime() - scheduled, e != null ? -1 : r.statusCode()));
                return null;
            }));
            next += (long) (-Math.log(1 - rnd.nextDouble()) / perSecond * 1e9);
        }
        for (CompletableFuture<?> f : pending) {
            try {
                f.get(120, TimeUnit.SECONDS);
            } catch (Exception e) {
                outcomes.add(new OpenLoopLoad.Outcome(0, Long.MAX_VALUE, -2));
            }
        }
        return new ArrayList<>(outcomes);
    }
}
