package org.sparoa.engine.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.sparoa.api.Model;
import org.sparoa.api.Node;
import org.sparoa.api.Placement;
import org.sparoa.api.TensorInfo;
import org.sparoa.onnx.OnnxModels;

/** How a placement becomes segments: which tensors a segment takes in and hands out. */
class SegmentPlannerTest {
    private static final Path SQUEEZENET = Path.of(System.getProperty("sparoa.shared", "../../../shared"),
            "onnx-backend-tests/light/light_squeezenet.onnx");

    @Test
    void capturingIntermediatesHandsOutEveryReadTensorButNoDeadOutput() {
        Model model = OnnxModels.load("squeezenet", SQUEEZENET);
        Node dropout = model.graph().nodes().stream().filter(n -> n.opType().equals("Dropout")).findFirst()
                .orElseThrow();
        assertEquals(2, dropout.outputs().size(), "the ONNX suite's SqueezeNet names Dropout's mask output");
        String mask = dropout.outputs().get(1);
        assertTrue(model.graph().consumers(mask).isEmpty(), "and nothing reads it");

        Placement onOne = new Placement(model.graph().nodes().stream()
                .collect(Collectors.toMap(Node::name, n -> "b")));
        List<SegmentPlanner.PlannedSegment> captured = SegmentPlanner.plan(model, onOne, true);
        assertEquals(1, captured.size());
        Set<String> outs = captured.get(0).segment().outputs().stream().map(TensorInfo::name)
                .collect(Collectors.toSet());
        assertFalse(outs.contains(mask), "the unread mask is not asked of the backend");
        assertTrue(outs.contains(dropout.outputs().get(0)), "the Dropout's data output is captured");
        assertTrue(outs.contains(model.graph().outputs().get(0).name()), "and so is the graph's output");
        long read = model.graph().nodes().stream().flatMap(n -> n.outputs().stream())
                .filter(t -> !model.graph().consumers(t).isEmpty() || model.graph().isGraphOutput(t)).count();
        assertEquals(read, outs.size(), "every tensor something reads, and only those");

        List<SegmentPlanner.PlannedSegment> plain = SegmentPlanner.plan(model, onOne, false);
        assertEquals(List.of(model.graph().outputs().get(0).name()),
                plain.get(0).segment().outputs().stream().map(TensorInfo::name).toList(),
                "without capture a whole-model segment hands out the graph's outputs only");
    }
}
