package org.sparoa.sim;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import org.sparoa.api.analysis.OperatorMetrics;
import org.sparoa.api.analysis.Quadrant;
import org.sparoa.api.Attribute;
import org.sparoa.api.Node;

/** Operators and their metrics, written by hand for the simulator's tests. */
final class Ops {
    private Ops() {
    }

    static Node node(String name, String opType, String input, String output, long group) {
        return new Node(name, opType, "", List.of(input), List.of(output),
                group == 1 ? Map.of() : Map.of("group", new Attribute("group", Attribute.Kind.INT, group)));
    }

    static OperatorMetrics metrics(String name, String opType, long flops, long bytes, double weightSparsity,
                                   long[] in, long[] out) {
        return new OperatorMetrics(name, opType, "", List.of(in), List.of(out), 0, OptionalLong.of(flops),
                OptionalLong.of(bytes), weightSparsity < 0 ? OptionalDouble.empty() : OptionalDouble.of(weightSparsity),
                Optional.empty(), Optional.empty(), Quadrant.UNKNOWN, "");
    }
}
