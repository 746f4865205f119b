package org.sparoa.bench;

import java.nio.file.Path;
import java.util.Map;

import org.sparoa.analyzer.internal.CalibratingModelAnalyzer;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.Model;
import org.sparoa.api.RandomInputs;
import org.sparoa.api.RunOptions;
import org.sparoa.api.SegmentPlan;
import org.sparoa.api.Shapes;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.backend.sparse.internal.SparseCpuBackend;
import org.sparoa.engine.LocalPlatform;
import org.sparoa.policy.greedy.internal.GreedyEarliestFinishPolicy;

/**
 * One cold {@code greedy} decision with its measured choice on {@code ort-cpu} and {@code sparse-cpu}, in a fresh
 * JVM, with ONNX Runtime spinning as {@code -Dbench.ortSpinning} says; the engine's log line "Measured plans of ..."
 * shows each candidate's time and the plan kept, and the last line the plan's backends. Run it once per setting,
 * alternating, to see how ONNX Runtime's spinning after a run changes what the measured choice sees of the plan
 * timed next:
 * <pre>
 * java ... -Dbench.ortSpinning=auto org.sparoa.bench.MeasuredChoiceSpinning MODEL.onnx [x=1x3x48x192] [THREADS]
 * </pre>
 */
public final class MeasuredChoiceSpinning {

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            throw new IllegalArgumentException("usage: MeasuredChoiceSpinning MODEL.onnx [name=1x3x48x192] [THREADS]");
        }
        Map<String, long[]> shapes = Map.of();
        if (args.length > 1 && args[1].contains("=")) {
            String[] kv = args[1].split("=", 2);
            shapes = Map.of(kv[0], Shapes.parse(kv[1]));
        }
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();
        SparseCpuBackend sparse = new SparseCpuBackend(threads, SparseCpuBackend.DEFAULT_DENSE_BELOW_SPARSITY);
        try (OrtCpuBackend ort = new OrtCpuBackend("ort-cpu", threads, 1, OrtSpinning.fromProperty());
             LocalPlatform platform = LocalPlatform.remeasuringAfter(1000, 600_000, ort, sparse)) {
            platform.setAnalyzer(CalibratingModelAnalyzer.standalone(platform.models(), platform.calibrator(),
                    CudaDeviceCheck.defaults(CalibratingModelAnalyzer.Config.class)));
            platform.addPolicy(new GreedyEarliestFinishPolicy(), GreedyEarliestFinishPolicy.SERVICE_PROPERTIES);
            Model model = platform.models().load(null, Path.of(args[0]));
            var inputs = RandomInputs.forModel(model, shapes, 42);
            platform.profiler().profile(model.id(), inputs, false);
            InferenceResult r = platform.inference().infer(model.id(), inputs,
                    RunOptions.withPolicy("greedy", Map.of()));
            System.out.println("spinning " + OrtSpinning.fromProperty() + ", " + threads + " thread(s) per backend: "
                    + "greedy kept " + r.plan().segments().stream().map(SegmentPlan::backendId).distinct().toList());
        } finally {
            sparse.close();
        }
    }
}
