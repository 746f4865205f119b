package org.sparoa.serving.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.batching.internal.BatchingEngine;
import org.sparoa.batching.internal.TestConfig;
import org.sparoa.engine.LocalPlatform;
import org.sparoa.serving.core.RequestMetrics;

/**
 * The endpoint's handler over the real platform (ort-cpu, the PP-OCR classifier loaded as {@code cls}, the batching
 * engine), with an empty model repository folder: what the fuzzer's requests reach. One per JVM.
 */
final class FuzzedEndpoint {
    private static FuzzedEndpoint instance;
    final LocalPlatform platform;
    final BatchingEngine batching;
    final KserveHandler handler;

    private FuzzedEndpoint() throws IOException {
        Path model = RequestSeeds.clsFile();
        if (!Files.isRegularFile(model)) {
            throw new IllegalStateException("test model missing: " + model.toAbsolutePath());
        }
        platform = LocalPlatform.of(new OrtCpuBackend("ort-cpu", 1, 1));
        platform.models().load(RequestSeeds.MODEL, model);
        batching = new BatchingEngine(platform.inference(), platform.models(), TestConfig.adaptive(8),
                Map.of());
        Path repository = Files.createTempDirectory("sparoa-fuzz-repository");
        repository.toFile().deleteOnExit();
        handler = new KserveHandler(platform.models(), batching, ServingSettings.defaults(repository),
                RequestMetrics.NONE);
    }

    static synchronized FuzzedEndpoint get() {
        if (instance == null) {
            try {
                instance = new FuzzedEndpoint();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    /** A fuzzed {@code .../unload} may have taken the model away: the next request finds it again. */
    void restoreModel() {
        if (platform.models().get(RequestSeeds.MODEL).isEmpty()) {
            platform.models().load(RequestSeeds.MODEL, RequestSeeds.clsFile());
        }
    }
}
