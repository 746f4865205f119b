package org.sparoa.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.sparoa.api.Model;
import org.sparoa.api.RandomInputs;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.PlainOrtSession;
import org.sparoa.engine.LocalPlatform;

/**
 * What a policy evaluation sweeps — arguments {@code [iterations] [threads] [sparsities]} (default
 * {@code 10 2 0,50,80,90}) and {@code -Dbench.models} (default {@code mlsd,det,blazeface_back,cls}) — and the sweep
 * itself: each model pruned to each sparsity, loaded into the platform with seeded inputs and a plain ONNX Runtime
 * session beside it, measured, then unloaded.
 */
record PolicySweep(int iterations, int threads, List<Integer> sparsities, List<BenchModels.Case> cases) {

    /** One point of the sweep. */
    interface Point {
        void measure(Model model, Map<String, Tensor> inputs, PlainOrtSession plain, BenchModels.Case c, int sparsity)
                throws Exception;
    }

    static PolicySweep fromArgs(String[] args) {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        List<Integer> sparsities = Arrays.stream((args.length > 2 ? args[2] : "0,50,80,90").split(","))
                .map(String::trim).map(Integer::parseInt).toList();
        return new PolicySweep(iterations, threads, sparsities, BenchModels.matching(System.getProperty("bench.models",
                "mlsd,det,blazeface_back,cls")));
    }

    void forEach(LocalPlatform platform, Point point) throws Exception {
        for (BenchModels.Case c : cases) {
            for (int sp : sparsities) {
                Path file = BenchModels.atSparsity(c.file(), sp);
                Model model = platform.models().load(null, file);
                Map<String, Tensor> inputs = RandomInputs.forModel(model, c.shapes(), 42);
                try (PlainOrtSession plain = PlainOrtSession.open(Files.readAllBytes(file), threads)) {
                    point.measure(model, inputs, plain, c, sp);
                }
                platform.models().unload(model.id());
            }
        }
    }
}
