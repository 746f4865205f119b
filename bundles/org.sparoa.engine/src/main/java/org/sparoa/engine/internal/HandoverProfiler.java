package org.sparoa.engine.internal;

import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.api.CompiledSegment;
import org.sparoa.api.DataType;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.Model;
import org.sparoa.api.Segment;
import org.sparoa.api.BoundaryCost;
import org.sparoa.api.Tensor;
import org.sparoa.onnx.OnnxModels;
import org.sparoa.onnx.OnnxSegments;

/**
 * Measures what a segment boundary costs on a backend, apart from any compute: a one-operator {@code Identity}
 * segment run on a 4-byte and on a 1 MiB tensor. The small run is the backend's fixed cost per segment (its call,
 * thread wake-ups, session set-up); the difference per byte is what moving a tensor into and out of the backend
 * costs. The segment is the first operator of a two-operator chain, so that its output is a boundary tensor handed
 * over as in a plan (not a model output, which backends copy to the Java heap for the caller), its input lies in a
 * direct buffer as another backend's boundary output does, and each run's output goes back to the segment as the
 * engine hands it back after a request. Measured once per backend instance, in memory: a new bundle version is
 * measured again.
 */
final class HandoverProfiler {
    private static final Logger LOG = LoggerFactory.getLogger(HandoverProfiler.class);
    /** Bytes of the large probe tensor. */
    static final int PROBE_BYTES = 1 << 20;
    private static final int WARMUP_RUNS = 30;
    private static final int TIMED_RUNS = 31;

    private final Map<DeviceBackend, BoundaryCost> measured = new WeakHashMap<>();
    private final Model small = OnnxModels.identityChain("sparoa_handover_small", DataType.FLOAT, new long[] {1}, 2);
    private final Model large = OnnxModels.identityChain("sparoa_handover_1mib", DataType.FLOAT,
            new long[] {PROBE_BYTES / 4}, 2);

    /** The boundary cost of a backend, measured on first use; {@link BoundaryCost#UNKNOWN} if it cannot be. */
    BoundaryCost of(DeviceBackend backend) {
        synchronized (measured) {
            BoundaryCost c = measured.get(backend);
            if (c != null) {
                return c;
            }
        }
        BoundaryCost c = measure(backend);
        synchronized (measured) {
            measured.put(backend, c);
        }
        return c;
    }

    Map<String, BoundaryCost> of(List<LiveBackendView> live) {
        Map<String, BoundaryCost> out = new java.util.HashMap<>();
        live.forEach(v -> out.put(v.id(), of(v.backend())));
        return out;
    }

    private BoundaryCost measure(DeviceBackend backend) {
        try {
            double fixed = fastestMillis(backend, small);
            double big = fastestMillis(backend, large);
            BoundaryCost c = new BoundaryCost(fixed, Math.max(0, big - fixed) / PROBE_BYTES);
            LOG.info("Boundary cost on {}: {} ms per segment, {} ms per MiB handed over", backend.id(),
                    String.format("%.4f", c.segmentMillis()), String.format("%.4f", c.millisPerByte() * PROBE_BYTES));
            return c;
        } catch (RuntimeException e) {
            LOG.warn("Cannot measure the boundary cost of {}: {}", backend.id(), e.getMessage());
            return BoundaryCost.UNKNOWN;
        }
    }

    private static double fastestMillis(DeviceBackend backend, Model probe) {
        var g = probe.graph();
        List<org.sparoa.api.Node> first = g.nodes().subList(0, 1);
        List<org.sparoa.api.TensorInfo> boundary = List.of(g.info(first.get(0).outputs().get(0)).orElseThrow());
        Segment segment = new Segment(0, probe, first, g.inputs(), boundary,
                () -> OnnxSegments.cut(probe, probe.id(), first, g.inputs(), boundary));
        int n = Math.toIntExact(Math.max(1, g.inputs().get(0).shape()[0]));
        java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(4 * n).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            direct.putFloat(4 * i, 1f);
        }
        Map<String, Tensor> feed = Map.of("x", Tensor.wrap(DataType.FLOAT, new long[] {n}, direct));
        try (CompiledSegment c = backend.compile(segment)) {
            return SegmentTiming.fastestMillis(c, feed, SegmentTiming.Runs.exactly(WARMUP_RUNS),
                    SegmentTiming.Runs.exactly(TIMED_RUNS));
        }
    }
}
