package org.sparoa.engine.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.api.CompiledSegment;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.Model;
import org.sparoa.api.Placement;

/**
 * The last stages of planning: cuts a validated placement into segments ({@link SegmentPlanner}) and compiles each
 * on its backend. A backend that leaves while its segment compiles makes the whole plan fail with
 * {@link BackendDepartedException}, so that the request is planned again on what remains.
 */
final class SegmentCompiler {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentCompiler.class);
    private final PluginRegistry<DeviceBackend> backends;

    SegmentCompiler(PluginRegistry<DeviceBackend> backends) {
        this.backends = backends;
    }

    ExecutionPlan compile(Model model, List<LiveBackendView> views, Placement placement, String policy,
                          String fallbackReason, boolean captureIntermediates) {
        List<SegmentPlanner.PlannedSegment> planned = SegmentPlanner.plan(model, placement, captureIntermediates);
        Map<String, DeviceBackend> used = new HashMap<>();
        List<CompiledSegment> compiled = new ArrayList<>();
        try {
            for (SegmentPlanner.PlannedSegment p : planned) {
                DeviceBackend backend = views.stream().filter(v -> v.id().equals(p.backendId())).findFirst()
                        .orElseThrow(() -> new IllegalStateException("segment placed on " + p.backendId()
                                + ", which is not among the planned backends"))
                        .backend();
                used.put(p.backendId(), backend);
                compiled.add(backend.compile(p.segment()));
            }
        } catch (RuntimeException e) {
            compiled.forEach(CompiledSegment::close);
            List<String> gone = used.entrySet().stream().filter(u -> !backends.isLive(u.getKey(), u.getValue()))
                    .map(Map.Entry::getKey).toList();
            if (!gone.isEmpty()) {
                // the backend set changed while this plan was being compiled: not the request's fault
                throw new BackendDepartedException("backend(s) " + gone + " left while " + model.id()
                        + " was being planned", e);
            }
            throw e;
        }
        LOG.debug("Planned {}: {} segment(s) by {}", model.id(), compiled.size(), policy);
        return new ExecutionPlan(model, compiled, used, SegmentPlanner.producerSegments(planned), policy,
                fallbackReason);
    }

    /** Every operator on one backend. */
    ExecutionPlan wholeModelOn(Model model, List<LiveBackendView> views, String backendId, String policy) {
        Map<String, String> all = new HashMap<>();
        model.graph().nodes().forEach(n -> all.put(n.name(), backendId));
        return compile(model, views, new Placement(all), policy, null, false);
    }
}
