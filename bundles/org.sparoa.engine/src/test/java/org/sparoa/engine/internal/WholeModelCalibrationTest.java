package org.sparoa.engine.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.sparoa.api.CompiledSegment;
import org.sparoa.api.CostModel;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.ForwardingDeviceBackend;
import org.sparoa.api.Graph;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.PlanCost;
import org.sparoa.api.RandomInputs;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.internal.OrtCpuBackend;
import org.sparoa.onnx.OnnxModels;

/**
 * The whole-model calibration of operator costs: factors from measured over estimated, per backend that runs the
 * whole model, applied to operator costs only, measured once per model, shapes and backend set.
 */
class WholeModelCalibrationTest {
    private static final Path CLS = Path.of(System.getProperty("sparoa.models", "target/models"),
            "ch_ppocr_mobile_v2.0_cls_infer.onnx");

    /** Every operator 1 ms on every backend, a segment 0.5 ms, a hand-over 0.25 ms. */
    private static final CostModel FLAT = new CostModel() {
        @Override
        public OptionalDouble operatorMillis(String backendId, Node node) {
            return OptionalDouble.of(1.0);
        }

        @Override
        public double segmentMillis(String backendId) {
            return 0.5;
        }

        @Override
        public double transferMillis(String fromBackendId, String toBackendId, String tensorName) {
            return fromBackendId.equals(toBackendId) ? 0 : 0.25;
        }

        @Override
        public OptionalLong tensorBytes(String tensorName) {
            return OptionalLong.of(4);
        }
    };

    @Test
    void theFactorIsMeasuredOverEstimatedForTheOperatorsAloneWithinBounds() {
        PlanCost.Estimate tenOps = new PlanCost.Estimate(10, 0.5, 0, 1, 0);
        assertEquals(0.45, WholeModelCalibration.factor(5.0, tenOps), 1e-12, "(5 - 0.5) / 10");
        assertEquals(WholeModelCalibration.MAX_FACTOR, WholeModelCalibration.factor(1e6, tenOps), 1e-12);
        assertEquals(WholeModelCalibration.MIN_FACTOR,
                WholeModelCalibration.factor(0.4, new PlanCost.Estimate(1000, 0.5, 0, 1, 0)), 1e-12);
        assertTrue(Double.isNaN(WholeModelCalibration.factor(5.0, new PlanCost.Estimate(0, 0.5, 0, 1, 0))));
        assertTrue(Double.isNaN(WholeModelCalibration.factor(5.0,
                new PlanCost.Estimate(PlanCost.UNKNOWN_OPERATOR_MILLIS, 0, 0, 1, 0))), "an unpriced operator");
        assertTrue(Double.isNaN(WholeModelCalibration.factor(Double.NaN, tenOps)), "nothing measured");
    }

    @Test
    void aBoundaryCostsWhatTheSplitMeasuredAboveItsEstimatePerCut() {
        assertEquals(1.5, WholeModelCalibration.boundaryMillis(13.0, new PlanCost.Estimate(8, 1, 1, 3, 2)), 1e-12,
                "(13 - 10) over 2 cuts");
        assertEquals(0, WholeModelCalibration.boundaryMillis(9.0, new PlanCost.Estimate(8, 1, 1, 3, 2)), 1e-12,
                "measured below its estimate: nothing added");
        assertEquals(0, WholeModelCalibration.boundaryMillis(13.0, new PlanCost.Estimate(8, 1, 0, 1, 0)), 1e-12);
    }

    @Test
    void operatorCostsOfEachBackendThatRunsTheWholeModelAreScaledToItsMeasuredTimeOnce() {
        try (OrtCpuBackend ort = new OrtCpuBackend("ort-cpu", 1, 1)) {
            Model model = OnnxModels.load("cls", CLS);
            DeviceBackend partial = withoutOperator("partial", ort, "Softmax");
            PluginRegistry<DeviceBackend> registry = new PluginRegistry<>();
            registry.add(new Ranked<>("ort-cpu", ort, 0, 1));
            registry.add(new Ranked<>("partial", partial, 0, 2));
            List<LiveBackendView> views = registry.live().stream().map(r -> new LiveBackendView(r, model.graph()))
                    .toList();
            int ops = model.graph().nodes().size();
            List<Map<String, String>> splits = WholeModelCalibration.cheapestSplits(model.graph(), views, FLAT);
            assertEquals(2, splits.size(), "two splits timed");
            Map<String, String> split = splits.get(0);
            Map<String, String> other = splits.get(1);
            for (Map<String, String> s : splits) {
                assertEquals(2, PlanCost.of(model.graph(), s, FLAT).segments());
                for (Node n : model.graph().nodes()) {
                    assertTrue(!s.get(n.name()).equals("partial") || !n.opType().equals("Softmax"),
                            "every operator placed where it runs: " + n.name());
                }
            }
            int onOrt = (int) split.values().stream().filter("ort-cpu"::equals).count();
            int otherOnOrt = (int) other.values().stream().filter("ort-cpu"::equals).count();
            String firstOp = model.graph().nodes().get(0).name();
            assertTrue(!split.get(firstOp).equals(other.get(firstOp)) || Math.abs(onOrt - otherOnOrt) >= ops / 10,
                    "the two splits run their backends the other way round or cut a tenth of the operators apart: "
                            + onOrt + ", " + otherOnOrt + " of " + ops + " on ort-cpu");
            // first the factor from the whole model alone; the second split measures 2 ms more than its estimate
            // with that factor and the first 12 ms more (one slow timing), so a boundary costs the smaller, 2 ms
            // more; then the factor again with a segment costing 2 ms more
            double first = (20.5 - 0.5) / ops;
            double splitScaled = first * onOrt + (ops - onOrt) + 2 * 0.5
                    + PlanCost.of(model.graph(), split, FLAT).handoverMillis();
            double otherScaled = first * otherOnOrt + (ops - otherOnOrt) + 2 * 0.5
                    + PlanCost.of(model.graph(), other, FLAT).handoverMillis();
            double boundary = 2.0;
            double factor = (20.5 - boundary - 0.5) / ops;
            AtomicInteger timings = new AtomicInteger();
            List<Integer> plansTimed = new ArrayList<>();
            WholeModelCalibration calibration = new WholeModelCalibration(new SegmentCompiler(registry),
                    (plans, runOnce) -> {
                        timings.incrementAndGet();
                        plansTimed.add(plans.size());
                        plans.forEach(runOnce::apply); // the plans run on the inputs given
                        // the whole model on ort-cpu, then the two two-segment plans
                        return visits(20.5, splitScaled + boundary + 10, otherScaled + boundary);
                    });
            Map<String, Tensor> inputs = RandomInputs.forModel(model, Map.of("x", new long[] {1, 3, 48, 192}), 3);

            WholeModelCalibration.Calibrated calibrated = calibration.calibrate(model, views, "x=1x3x48x192;",
                    "ort-cpu,partial", FLAT, inputs);
            CostModel scaled = calibrated.costs();
            assertEquals(List.of(3), plansTimed, "the backend that runs every operator, and two two-segment plans");
            Node node = model.graph().nodes().get(0);
            assertEquals(factor, scaled.operatorMillis("ort-cpu", node).getAsDouble(), 1e-6);
            assertEquals(1.0, scaled.operatorMillis("partial", node).getAsDouble(), 1e-12, "not scaled");
            assertEquals(0.5 + boundary, scaled.segmentMillis("ort-cpu"), 1e-6, "a segment costs the boundary more");
            assertEquals(0.5 + boundary, scaled.segmentMillis("partial"), 1e-6);
            assertEquals(0.25, scaled.transferMillis("ort-cpu", "partial", "t"), 1e-12, "hand-overs as measured");
            Map<String, String> all = new java.util.HashMap<>();
            model.graph().nodes().forEach(n -> all.put(n.name(), "ort-cpu"));
            assertEquals(20.5, PlanCost.millis(model.graph(), all, scaled), 1e-6,
                    "the whole model on the backend costs what it measured");
            EarlierRounds rounds = calibrated.rounds();
            assertEquals(List.of(20_500_000L), rounds.of(all), "the rounds, by placement, for the measured choice");
            assertEquals(List.of(Math.round((splitScaled + boundary + 10) * 1e6)), rounds.of(split));
            assertEquals(List.of(Math.round((otherScaled + boundary) * 1e6)), rounds.of(other));
            WholeModelCalibration.Factors kept = calibration.factors(model, "x=1x3x48x192;", "ort-cpu,partial");
            assertEquals(java.util.Set.of("ort-cpu"), kept.operators().keySet());
            assertEquals(factor, kept.operators().get("ort-cpu"), 1e-6);
            assertEquals(boundary, kept.boundaryMillis(), 1e-6);

            assertSame(EarlierRounds.NONE, calibration.calibrate(model, views, "x=1x3x48x192;", "ort-cpu,partial",
                    FLAT, inputs).rounds(), "nothing timed by a calibration already made");
            assertEquals(1, timings.get(), "measured once per model, shapes and backend set");
            calibration.calibrate(model, views, "x=1x3x48x96;", "ort-cpu,partial", FLAT,
                    RandomInputs.forModel(model, Map.of("x", new long[] {1, 3, 48, 96}), 3));
            assertEquals(2, timings.get(), "other shapes: measured again");
            calibration.recalibrate(model, "ort-cpu,partial");
            assertEquals(WholeModelCalibration.Factors.NONE,
                    calibration.factors(model, "x=1x3x48x192;", "ort-cpu,partial"), "recalibrated: factors gone");
            assertNotSame(EarlierRounds.NONE, calibration.calibrate(model, views, "x=1x3x48x192;", "ort-cpu,partial",
                    FLAT, inputs).rounds(), "the next calibration times the plans again");
            assertEquals(3, timings.get());
            calibration.forget(model);
            assertEquals(WholeModelCalibration.Factors.NONE,
                    calibration.factors(model, "x=1x3x48x192;", "ort-cpu,partial"));
        }
    }

    @Test
    void aSplitThatCannotCompileLeavesBoundariesAtTheirPriceAndStillScalesTheOperators() {
        try (OrtCpuBackend ort = new OrtCpuBackend("ort-cpu", 1, 1)) {
            Model model = OnnxModels.load("cls", CLS);
            DeviceBackend refusing = new ForwardingDeviceBackend(withoutOperator("partial", ort, "Softmax")) {
                @Override
                public CompiledSegment compile(Segment segment) {
                    throw new org.sparoa.api.BackendException("partial: out of memory compiling " + segment.index());
                }
            };
            PluginRegistry<DeviceBackend> registry = new PluginRegistry<>();
            registry.add(new Ranked<>("ort-cpu", ort, 0, 1));
            registry.add(new Ranked<>("partial", refusing, 0, 2));
            List<LiveBackendView> views = registry.live().stream().map(r -> new LiveBackendView(r, model.graph()))
                    .toList();
            List<Integer> plansTimed = new ArrayList<>();
            WholeModelCalibration calibration = new WholeModelCalibration(new SegmentCompiler(registry),
                    (plans, runOnce) -> {
                        plansTimed.add(plans.size());
                        return visits(20.5);
                    });
            calibration.calibrate(model, views, "s", "b", FLAT,
                    RandomInputs.forModel(model, Map.of("x", new long[] {1, 3, 48, 192}), 3));
            assertEquals(List.of(1), plansTimed, "the whole model alone");
            WholeModelCalibration.Factors f = calibration.factors(model, "s", "b");
            assertEquals((20.5 - 0.5) / model.graph().nodes().size(), f.operators().get("ort-cpu"), 1e-9);
            assertEquals(0, f.boundaryMillis(), 1e-12);
        }
    }

    @Test
    void aTimingThatFailsLeavesTheCostsAsTheyAreAndTheRealTimerMatchesTheWholeModel() {
        try (OrtCpuBackend ort = new OrtCpuBackend("ort-cpu", 1, 1)) {
            Model model = OnnxModels.load("cls", CLS);
            PluginRegistry<DeviceBackend> registry = new PluginRegistry<>();
            registry.add(new Ranked<>("ort-cpu", ort, 0, 1));
            List<LiveBackendView> views = registry.live().stream().map(r -> new LiveBackendView(r, model.graph()))
                    .toList();
            Map<String, Tensor> inputs = RandomInputs.forModel(model, Map.of("x", new long[] {1, 3, 48, 192}), 3);
            WholeModelCalibration failing = new WholeModelCalibration(new SegmentCompiler(registry),
                    (plans, runOnce) -> {
                        throw new IllegalStateException("backend gone");
                    });
            WholeModelCalibration.Calibrated failed = failing.calibrate(model, views, "s", "ort-cpu", FLAT, inputs);
            assertSame(FLAT, failed.costs());
            assertSame(EarlierRounds.NONE, failed.rounds(), "no rounds from a timing that failed");

            // 10 us per operator: the classifier's 258 operators then estimate 2.6 ms, within a factor of 20 of the
            // 0.5-2 ms it runs in on one thread
            CostModel small = new CostModel() {
                @Override
                public OptionalDouble operatorMillis(String backendId, Node node) {
                    return OptionalDouble.of(0.01);
                }

                @Override
                public double transferMillis(String fromBackendId, String toBackendId, String tensorName) {
                    return 0;
                }

                @Override
                public OptionalLong tensorBytes(String tensorName) {
                    return OptionalLong.empty();
                }
            };
            WholeModelCalibration real = new WholeModelCalibration(new SegmentCompiler(registry));
            CostModel scaled = real.calibrate(model, views, "s", "ort-cpu", small, inputs).costs();
            double f = real.factors(model, "s", "ort-cpu").operators().get("ort-cpu");
            assertTrue(f > WholeModelCalibration.MIN_FACTOR && f < WholeModelCalibration.MAX_FACTOR,
                    "a factor from a real timing: " + f);
            assertEquals(0.01 * f, scaled.operatorMillis("ort-cpu", model.graph().nodes().get(0)).getAsDouble(), 1e-12);
        }
    }

    /** One round in which each plan's visit took the given milliseconds (to the nanosecond). */
    private static List<List<Long>> visits(double... millis) {
        List<List<Long>> out = new ArrayList<>();
        for (double ms : millis) {
            out.add(List.of(Math.round(ms * 1e6)));
        }
        return out;
    }

    /** The delegate under another id, without one operator type. */
    private static DeviceBackend withoutOperator(String id, DeviceBackend delegate, String opType) {
        return new ForwardingDeviceBackend(delegate) {
            @Override
            public String id() {
                return id;
            }

            @Override
            public Set<String> supportedOperators() {
                Set<String> s = new java.util.HashSet<>(delegate.supportedOperators());
                s.remove(opType);
                return s;
            }

            @Override
            public boolean supports(Node node, Graph graph) {
                return !node.opType().equals(opType) && delegate.supports(node, graph);
            }
        };
    }
}
