package org.sparoa.shell.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.sparoa.api.InferenceResult;
import org.sparoa.api.SegmentPlan;
import org.sparoa.api.SegmentTiming;

/**
 * Requests as Chrome trace events (the JSON that Perfetto and chrome://tracing open): one track per backend, a
 * complete event per segment, and a hand-off event on the receiving backend's track between a segment and the
 * next one when the two run on different backends.
 */
final class ChromeTrace {
    private final List<Map<String, Object>> events = new ArrayList<>();
    private final Map<String, Integer> tracks = new LinkedHashMap<>();

    void addRequest(int request, long requestStartNanos, InferenceResult result) {
        List<SegmentPlan> plans = result.plan().segments();
        SegmentTiming previous = null;
        for (SegmentTiming t : result.timings()) {
            SegmentPlan plan = plans.get(t.segment());
            int track = track(t.backendId());
            long start = requestStartNanos + t.startNanos();
            if (previous != null && !previous.backendId().equals(t.backendId())) {
                long from = requestStartNanos + previous.endNanos();
                Map<String, Object> args = new LinkedHashMap<>();
                args.put("from", previous.backendId());
                args.put("to", t.backendId());
                args.put("tensors", plan.inputs());
                events.add(complete("hand-off " + previous.backendId() + " -> " + t.backendId(), "transfer", track, from,
                        Math.max(0, start - from), args));
            }
            Map<String, Object> args = new LinkedHashMap<>();
            args.put("request", request);
            args.put("operators", plan.nodeNames().size());
            args.put("first", plan.nodeNames().get(0));
            args.put("last", plan.nodeNames().get(plan.nodeNames().size() - 1));
            events.add(complete("segment " + t.segment() + " (" + plan.nodeNames().size() + " ops)", "segment", track,
                    start, t.endNanos() - t.startNanos(), args));
            previous = t;
        }
    }

    private int track(String backendId) {
        return tracks.computeIfAbsent(backendId, id -> {
            int tid = tracks.size() + 1;
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("name", "thread_name");
            meta.put("ph", "M");
            meta.put("pid", 1);
            meta.put("tid", tid);
            meta.put("args", Map.of("name", id));
            events.add(meta);
            return tid;
        });
    }

    private static Map<String, Object> complete(String name, String category, int tid, long startNanos, long durNanos,
                                                Map<String, Object> args) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("name", name);
        e.put("cat", category);
        e.put("ph", "X");
        e.put("pid", 1);
        e.put("tid", tid);
        e.put("ts", startNanos / 1000.0);
        e.put("dur", durNanos / 1000.0);
        e.put("args", args);
        return e;
    }

    int eventCount() {
        return (int) events.stream().filter(e -> "X".equals(e.get("ph"))).count();
    }

    Map<String, Object> document() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("traceEvents", events);
        doc.put("displayTimeUnit", "ms");
        return doc;
    }
}
