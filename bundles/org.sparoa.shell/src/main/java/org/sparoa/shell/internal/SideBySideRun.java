package org.sparoa.shell.internal;

import java.util.Map;

import org.sparoa.api.InferenceResult;
import org.sparoa.api.InferenceService;
import org.sparoa.api.Model;
import org.sparoa.api.RequestCancelledException;
import org.sparoa.api.RunOptions;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.PlainOrtSession;

/**
 * Times a model through SparOA and, optionally, through plain ONNX Runtime on the same inputs, alternating the
 * two after both are warm so that both see the same machine state.
 */
final class SideBySideRun {
    /**
     * {@code duringTimed}: what the JVM's compilers and collectors did while the runs were timed; {@code timedNanos}
     * the timed loop's wall time.
     */
    record Outcome(InferenceResult last, LatencyStats sparoa, LatencyStats ort, double maxAbsDiffToOrt,
                   JvmWork duringTimed, long timedNanos) {
        double ratio() {
            return ort == null ? Double.NaN : sparoa.p50() / ort.p50();
        }
    }

    private SideBySideRun() {
    }

    static Outcome run(InferenceService inference, Model model, Map<String, Tensor> inputs, RunOptions options,
                       int warmup, int iterations, int ortThreads, boolean compare) {
        PlainOrtSession ort = null;
        try {
            if (compare) {
                byte[] bytes = new byte[model.onnxBytes().remaining()];
                model.onnxBytes().get(bytes);
                ort = PlainOrtSession.open(bytes, ortThreads);
            }
            InferenceResult last = inference.infer(model.id(), inputs, options);
            Map<String, Tensor> reference = null;
            for (int i = 0; i < warmup; i++) {
                stopIfCallerGone(model, i, warmup, "warm-up");
                last = inference.infer(model.id(), inputs, options);
                if (ort != null) {
                    reference = ort.run(inputs);
                }
            }
            if (ort != null && reference == null) {
                reference = ort.run(inputs);
            }
            long[] ours = new long[iterations];
            long[] theirs = new long[compare ? iterations : 0];
            JvmWork before = JvmWork.now();
            long loopStart = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                stopIfCallerGone(model, i, iterations, "timed");
                long t0 = System.nanoTime();
                last = inference.infer(model.id(), inputs, options);
                ours[i] = System.nanoTime() - t0;
                if (ort != null) {
                    long t1 = System.nanoTime();
                    reference = ort.run(inputs);
                    theirs[i] = System.nanoTime() - t1;
                }
            }
            long timedNanos = System.nanoTime() - loopStart;
            JvmWork during = JvmWork.now().since(before);
            double diff = reference == null ? Double.NaN : maxAbsDiff(reference, last.outputs());
            return new Outcome(last, LatencyStats.of(ours), compare ? LatencyStats.of(theirs) : null, diff, during,
                    timedNanos);
        } finally {
            if (ort != null) {
                ort.close();
            }
        }
    }

    /** A closed shell session interrupts its command's thread: the remaining runs are not worth doing. */
    private static void stopIfCallerGone(Model model, int done, int of, String what) {
        if (Thread.currentThread().isInterrupted()) {
            throw new RequestCancelledException("run of " + model.id() + " stopped after " + done + " of " + of + " "
                    + what + " runs: its shell session is gone");
        }
    }

    static double maxAbsDiff(Map<String, Tensor> reference, Map<String, Tensor> outputs) {
        double max = 0;
        for (Map.Entry<String, Tensor> e : reference.entrySet()) {
            Tensor got = outputs.get(e.getKey());
            if (got == null) {
                return Double.POSITIVE_INFINITY;
            }
            float[] a = e.getValue().toFloatArray();
            float[] b = got.toFloatArray();
            if (a.length != b.length) {
                return Double.POSITIVE_INFINITY;
            }
            for (int i = 0; i < a.length; i++) {
                max = Math.max(max, Math.abs((double) a[i] - b[i]));
            }
        }
        return max;
    }
}
