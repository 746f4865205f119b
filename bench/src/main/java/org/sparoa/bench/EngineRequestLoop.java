package org.sparoa.bench;

import java.nio.file.Path;
import java.util.Map;

import org.sparoa.api.Model;
import org.sparoa.api.RandomInputs;
import org.sparoa.api.RunOptions;
import org.sparoa.api.Shapes;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.engine.LocalPlatform;

/**
 * Engine requests on {@code ort-cpu} in a loop for a while, nothing else: a target for a profiler (where the engine's
 * own time per request goes). With Java Flight Recorder at 1 ms sampling (a copy of the JDK's {@code profile.jfc}
 * with the Java method-sampling period set to 1 ms):
 * <pre>
 * java -XX:StartFlightRecording=filename=loop.jfr,settings=fast.jfc -cp "target/classes:target/lib/*" \
 *     org.sparoa.bench.EngineRequestLoop MODEL.onnx SECONDS [name=1x3x48x192] [auto|within-run]
 * jfr print --events jdk.ExecutionSample loop.jfr
 * </pre>
 */
public final class EngineRequestLoop {

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            throw new IllegalArgumentException(
                    "usage: EngineRequestLoop MODEL.onnx SECONDS [name=1x3x48x192] [spinning]");
        }
        Map<String, long[]> shapes = Map.of();
        OrtCpuBackend.Spinning spinning = OrtCpuBackend.Spinning.AUTO;
        for (int i = 2; i < args.length; i++) {
            if (args[i].contains("=")) {
                String[] kv = args[i].split("=", 2);
                shapes = Map.of(kv[0], Shapes.parse(kv[1]));
            } else {
                spinning = OrtCpuBackend.Spinning.parse(args[i]);
            }
        }
        try (OrtCpuBackend ort = new OrtCpuBackend("ort-cpu", 2, 1, spinning);
             LocalPlatform platform = LocalPlatform.of(ort)) {
            Model model = platform.models().load("m", Path.of(args[0]));
            var inputs = RandomInputs.forModel(model, shapes, 42);
            RunOptions options = RunOptions.onBackend("ort-cpu");
            long end = System.nanoTime() + Long.parseLong(args[1]) * 1_000_000_000L;
            long requests = 0;
            while (System.nanoTime() < end) {
                platform.inference().infer(model.id(), inputs, options);
                requests++;
            }
            System.out.printf("%d requests in %s s (spinning %s)%n", requests, args[1], spinning);
        }
    }
}
