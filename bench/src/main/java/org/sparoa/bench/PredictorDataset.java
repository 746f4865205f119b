package org.sparoa.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.sparoa.analyzer.internal.CalibratingModelAnalyzer;
import org.sparoa.backend.cuda.internal.CudaGpuBackend;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.backend.sparse.internal.SparseCpuBackend;
import org.sparoa.engine.LocalPlatform;
import org.sparoa.predictor.DatasetBuilder;
import org.sparoa.predictor.Descriptors;
import org.sparoa.predictor.ModelSource;
import org.sparoa.predictor.SyntheticGrid;

/**
 * Builds the threshold predictor's data set outside Karaf, with the same {@link DatasetBuilder} that
 * {@code sparoa:dataset} runs: the real models (../shared/models, PP-OCR, the ONNX suite's light CNNs) and the
 * synthetic grid, each pruned to every level and measured on ort-cpu and sparse-cpu ({@code --repeats N} times per
 * level, the backends alternating; ties recorded); resumable.
 *
 * <pre>
 * mvn -B -o -pl bench compile exec:exec -Dbench.main=org.sparoa.bench.PredictorDataset \
 *     -Dbench.args="--out results/predictor-dataset.jsonl --threads 2"
 * </pre>
 * ONNX Runtime spins as {@code -Dbench.ortSpinning} says (the distribution configures {@code within-run}).
 * With {@code --gpu} a live {@code cuda-gpu} joins, and the second pair of every operator is the measured
 * {@code sparse-cpu}/{@code cuda-gpu} pair (its intensity label from the dense level's decision) instead of the
 * simulated board's; {@code --levels 0} is enough for those labels. With {@code --keep-going} a model the backends
 * cannot profile is named and skipped, the others are measured, and the exit status is 3. {@code --models} may also
 * name the real models of {@link #moreRealModels()}, which a run without it does not measure.
 */
public final class PredictorDataset {

    public static void main(String[] args) throws Exception {
        Path out = Path.of("results/predictor-dataset.jsonl");
        int threads = 2;
        long seed = 13;
        int repeats = 1;
        double[] levels = {0, 0.5, 0.7, 0.8, 0.9, 0.95};
        List<String> only = List.of();
        boolean gpu = false;
        boolean keepGoing = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--levels" -> levels = Arrays.stream(args[++i].split(",")).mapToDouble(Double::parseDouble).toArray();
                case "--models" -> only = List.of(args[++i].split(","));
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                case "--gpu" -> gpu = true;
                case "--keep-going" -> keepGoing = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; options: --out FILE"
                        + " --threads N --seed S --levels 0,0.5,... --models a,b --repeats N --gpu --keep-going");
            }
        }
        List<ModelSource> sources = sources(seed);
        if (!only.isEmpty()) {
            List<String> keep = only;
            List<ModelSource> known = new ArrayList<>(sources);
            known.addAll(moreRealModels());
            sources = known.stream().filter(s -> keep.contains(s.name())).toList();
            if (sources.size() != keep.size()) {
                throw new IllegalArgumentException("--models " + keep + ": unknown name(s); known: "
                        + known.stream().map(ModelSource::name).toList());
            }
        }
        for (ModelSource s : sources) {
            if (!Files.isRegularFile(s.file())) {
                throw new IllegalStateException("data set model " + s.name() + " is missing: " + s.file());
            }
        }
        if (gpu && !CudaGpuBackend.whyNoGpu().isEmpty()) {
            throw new IllegalStateException("--gpu: no GPU here: " + CudaGpuBackend.whyNoGpu());
        }
        SparseCpuBackend sparse = new SparseCpuBackend(threads, SparseCpuBackend.DEFAULT_DENSE_BELOW_SPARSITY);
        CudaGpuBackend cuda = gpu ? CudaGpuBackend.open(0, 1, 2L << 30, CudaDeviceCheck.DENSE_BELOW) : null;
        try (OrtCpuBackend ort = new OrtCpuBackend("ort-cpu", threads, 1, OrtSpinning.fromProperty());
             LocalPlatform platform = cuda == null ? LocalPlatform.of(ort, sparse) : LocalPlatform.of(ort, sparse, cuda)) {
            CalibratingModelAnalyzer analyzer = CalibratingModelAnalyzer.standalone(platform.models(),
                    platform.calibrator(), AnalyzerConfigs.withCalibrationRuns(2));
            DatasetBuilder builder = new DatasetBuilder(platform.models(), platform.profiler(), analyzer,
                    Descriptors.liveCpuPair(), cuda == null ? null : Descriptors.liveGpuPair(cuda.id()), seed, repeats);
            long start = System.nanoTime();
            List<String> skipped = new ArrayList<>();
            List<String> measured = builder.build(sources, levels, out, (done, total, what) ->
                    System.out.printf("[%d/%d] %s (%.0f s)%n", done, total, what, (System.nanoTime() - start) / 1e9),
                    !keepGoing ? null : (s, e) -> {
                        skipped.add(s.name() + ": " + e.getMessage());
                        System.out.printf("%s SKIPPED: %s%n", s.name(), e);
                    });
            System.out.printf("measured %d model(s) into %s in %.0f s (%d repeat(s) per level%s): %s%n",
                    measured.size(), out, (System.nanoTime() - start) / 1e9, repeats,
                    cuda == null ? "" : ", GPU pair measured on " + cuda.id(), measured);
            if (!skipped.isEmpty()) {
                System.out.printf("skipped %d model(s) the backends could not profile:%n  %s%n", skipped.size(),
                        String.join("\n  ", skipped));
                System.exit(3);
            }
        } finally {
            sparse.close();
            if (cuda != null) {
                cuda.close();
            }
        }
    }

    static List<ModelSource> sources(long seed) throws Exception {
        Path shared = Path.of(System.getProperty("sparoa.shared", "../../shared"));
        Path ocr = Path.of(System.getProperty("sparoa.models", "target/models"));
        List<ModelSource> s = new ArrayList<>();
        s.add(real("blazeface-front", shared.resolve("models/blazeface_front_128x128.onnx"), Map.of()));
        s.add(real("blazeface-back", shared.resolve("models/blazeface_back_256x256.onnx"), Map.of()));
        s.add(real("mlsd-tiny", shared.resolve("models/mlsd_320x320_tiny.onnx"), Map.of()));
        s.add(real("ppocr-cls", ocr.resolve("ch_ppocr_mobile_v2.0_cls_infer.onnx"), Map.of("x", new long[] {1, 3, 48, 192})));
        s.add(real("ppocrv3-det", ocr.resolve("ch_PP-OCRv3_det_infer.onnx"), Map.of("x", new long[] {1, 3, 320, 320})));
        s.add(real("squeezenet", shared.resolve("onnx-backend-tests/light/light_squeezenet.onnx"), Map.of()));
        s.add(real("shufflenet", shared.resolve("onnx-backend-tests/light/light_shufflenet.onnx"), Map.of()));
        s.addAll(SyntheticGrid.write(Files.createTempDirectory("sparoa-synthetic-"), seed));
        return s;
    }

    /**
     * Real models that the committed data set does not hold, measured only when {@code --models} names them (appended
     * to an existing file, as a resumed run appends): PP-OCRv4 det, PP-OCRv3 rec and PP-OCRv4 rec (trained weights),
     * and the ONNX suite's ResNet-50 and Inception v1 (weights all 0.02, which the pruner cannot touch).
     */
    static List<ModelSource> moreRealModels() {
        Path shared = Path.of(System.getProperty("sparoa.shared", "../../shared"));
        Path ocr = Path.of(System.getProperty("sparoa.models", "target/models"));
        return List.of(
                real("ppocrv4-det", ocr.resolve("ch_PP-OCRv4_det_infer.onnx"), Map.of("x", new long[] {1, 3, 320, 320})),
                real("ppocrv3-rec", ocr.resolve("ch_PP-OCRv3_rec_infer.onnx"), Map.of("x", new long[] {1, 3, 48, 320})),
                real("ppocrv4-rec", ocr.resolve("ch_PP-OCRv4_rec_infer.onnx"), Map.of("x", new long[] {1, 3, 48, 320})),
                real("resnet50", shared.resolve("onnx-backend-tests/light/light_resnet50.onnx"), Map.of()),
                real("inception-v1", shared.resolve("onnx-backend-tests/light/light_inception_v1.onnx"), Map.of()));
    }

    private static ModelSource real(String name, Path file, Map<String, long[]> shapes) {
        return new ModelSource(name, file, shapes, "real");
    }
}
