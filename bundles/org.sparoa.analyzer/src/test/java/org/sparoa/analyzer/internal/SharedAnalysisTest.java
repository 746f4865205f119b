package org.sparoa.analyzer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.sparoa.api.analysis.AnalysisOptions;
import org.sparoa.api.analysis.Calibration;
import org.sparoa.api.analysis.Calibrator;
import org.sparoa.api.analysis.ModelAnalysis;
import org.sparoa.api.analysis.OperatorMetrics;
import org.sparoa.api.analysis.Quadrant;
import org.sparoa.api.analysis.Thresholds;

/** Two callers asking for the same analysis at once share one calibration; thresholds come from a source. */
class SharedAnalysisTest {

    /** Counts calibrations; the first one waits until the test lets it go. */
    private static final class GatedCalibrator implements Calibrator {
        final Calibrator delegate;
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger calls = new AtomicInteger();

        GatedCalibrator(Calibrator delegate) {
            this.delegate = delegate;
        }

        @Override
        public Calibration calibrate(String modelId, AnalysisOptions options) {
            if (calls.incrementAndGet() == 1) {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return delegate.calibrate(modelId, options);
        }
    }

    @Test
    void concurrentCallersShareOneCalibration() throws Exception {
        try (AnalyzerFixture f = new AnalyzerFixture()) {
            GatedCalibrator gated = new GatedCalibrator(f.platform.calibrator());
            CalibratingModelAnalyzer analyzer = CalibratingModelAnalyzer.standalone(f.platform.models(), gated,
                    AnalyzerFixture.config(3, 0.5, 10, 8));
            f.load("cls", TestModels.ppocr(TestModels.CLS));
            AnalysisOptions opts = AnalysisOptions.defaults().withShapes(TestModels.CLS_SHAPE);
            AtomicReference<ModelAnalysis> first = new AtomicReference<>();
            AtomicReference<ModelAnalysis> second = new AtomicReference<>();
            Thread a = new Thread(() -> first.set(analyzer.analyze("cls", opts)));
            Thread b = new Thread(() -> second.set(analyzer.analyze("cls", opts)));
            a.start();
            gated.entered.await(); // a is calibrating
            b.start();
            while (b.getState() != Thread.State.WAITING && b.isAlive()) {
                Thread.onSpinWait(); // b parks on a's analysis
            }
            gated.release.countDown();
            a.join();
            b.join();
            assertEquals(1, gated.calls.get(), "one calibration, not two");
            assertSame(first.get().operators(), second.get().operators());
        }
    }

    @Test
    void thresholdSourceDecidesWhenTheRequestGivesNone() {
        try (AnalyzerFixture f = new AnalyzerFixture()) {
            f.load("cls", TestModels.ppocr(TestModels.CLS));
            AnalysisOptions opts = AnalysisOptions.defaults().withCalibrationRuns(1).withShapes(TestModels.CLS_SHAPE);
            Thresholds everythingSparse = new Thresholds(0.0, 1e9);
            f.analyzer.bindThresholdSource(analysis -> Optional.of(everythingSparse));
            ModelAnalysis fromSource = f.analyzer.analyze("cls", opts);
            assertEquals(everythingSparse, fromSource.thresholds());
            for (OperatorMetrics o : fromSource.operators()) {
                assertTrue(o.quadrant() == Quadrant.SPARSE_LIGHT || o.quadrant() == Quadrant.UNKNOWN, o.name());
            }
            Thresholds given = new Thresholds(0.9, 1);
            assertEquals(given, f.analyzer.analyze("cls", opts.withThresholds(given)).thresholds(),
                    "the request's thresholds win");

            f.analyzer.bindThresholdSource(analysis -> {
                throw new IllegalStateException("predictor not trained");
            });
            assertEquals(f.analyzer.defaultThresholds(), f.analyzer.analyze("cls", opts).thresholds(),
                    "a failing source falls back to the configured thresholds");
        }
    }
}
