package org.sparoa.backend.cuda.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.sparoa.api.DataType;
import org.sparoa.api.Graph;
import org.sparoa.api.Node;
import org.sparoa.api.Tensor;
import org.sparoa.api.TensorInfo;
import org.sparoa.api.UnsupportedOperatorException;

/**
 * Compiles a segment, for the shapes (and integer values) of one set of inputs, into a {@link Program}: folds on
 * the host what the host knows, lowers every other operator to kernel launches ({@link Lowering}, Conv and the
 * matrix products with their fused epilogues in {@link ConvLowering}), then places the activations in as few
 * buffers as their lifetimes allow ({@link BufferPlanner}).
 */
final class ProgramBuilder {
    private final Graph graph;
    private final List<Node> nodes;
    private final Set<String> segmentOutputs = new HashSet<>();
    private final Map<String, Integer> readers = new HashMap<>();
    private final long opset;
    private final double denseBelowSparsity;

    private final Map<String, HostValue> host = new HashMap<>();
    private final Map<String, Operand> device = new HashMap<>();
    private final Set<String> fusedAway = new HashSet<>();
    private final ConstantBlock constants = new ConstantBlock();
    private final BufferPlanner planner = new BufferPlanner();
    private final List<Step> steps = new ArrayList<>();
    private final List<Program.Binding> inputs = new ArrayList<>();

    /**
     * @param segmentInputs the inputs of this run: float tensors give their shape, integer ones their value
     *                      (shape arithmetic), which are part of what a compiled program is specific to
     * @param outputs the segment's output names
     */
    private final Set<String> parameters;
    private boolean zeroCopy;

    ProgramBuilder(Graph graph, List<Node> nodes, List<String> outputs, double denseBelowSparsity) {
        this.parameters = ParameterInputs.readAsParameters(nodes);
        this.graph = graph;
        this.nodes = nodes;
        this.segmentOutputs.addAll(outputs);
        this.opset = graph.opsets().getOrDefault("", graph.opsets().getOrDefault("ai.onnx", 21L));
        this.denseBelowSparsity = denseBelowSparsity;
        for (Node n : nodes) {
            for (String in : n.inputs()) {
                if (!in.isEmpty()) {
                    readers.merge(in, 1, Integer::sum);
                }
            }
        }
    }

    /** Compiles {@code nodes} of {@code graph} for these input tensors (their shapes, and integer ones' values). */
    static Program compile(Graph graph, List<Node> nodes, List<TensorInfo> inputInfo, List<TensorInfo> outputInfo,
                           Map<String, Tensor> inputs, double denseBelowSparsity) {
        return compile(graph, nodes, inputInfo, outputInfo, inputs, denseBelowSparsity, false);
    }

    /**
     * As {@link #compile(Graph, List, List, List, Map, double)}; with {@code zeroCopy} every input and output value
     * gets a buffer of its own, to be placed in mapped host memory (integrated GPUs: no copies in or out).
     */
    static Program compile(Graph graph, List<Node> nodes, List<TensorInfo> inputInfo, List<TensorInfo> outputInfo,
                           Map<String, Tensor> inputs, double denseBelowSparsity, boolean zeroCopy) {
        ProgramBuilder b = new ProgramBuilder(graph, nodes, outputInfo.stream().map(TensorInfo::name).toList(),
                denseBelowSparsity);
        b.zeroCopy = zeroCopy;
        for (TensorInfo in : inputInfo) {
            Tensor t = inputs.get(in.name());
            if (t == null) {
                throw new org.sparoa.api.InvalidInputException("input '" + in.name() + "' is missing");
            }
            b.input(in.name(), t);
        }
        return b.build(outputInfo);
    }

    /** Declares a segment input: device-resident (float data) or known to the host (integer data). */
    void input(String name, Tensor tensor) {
        if ((tensor.type() == DataType.FLOAT || tensor.type() == DataType.BOOL) && !parameters.contains(name)) {
            long[] shape = tensor.shape();
            int value = planner.value(4 * Broadcast.count(shape));
            planner.written(value, BufferPlanner.BEFORE_FIRST_STEP);
            device.put(name, Operand.activation(value, shape, tensor.type()));
            inputs.add(new Program.Binding(name, value, shape, tensor.type(), null));
        } else {
            host.put(name, HostValue.of(tensor));
        }
    }

    Program build(List<TensorInfo> outputInfo) {
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            if (fusedAway.contains(n.name())) {
                continue;
            }
            try {
                compileNode(n, i);
            } catch (UnsupportedOperatorException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new UnsupportedOperatorException("cuda-gpu cannot compile " + n.opType() + " '" + n.name() + "': "
                        + e.getMessage());
            }
        }
        List<Program.Binding> outs = new ArrayList<>();
        for (TensorInfo o : outputInfo) {
            HostValue h = hostValue(o.name());
            if (h != null) {
                outs.add(new Program.Binding(o.name(), -1, h.shape(), h.type(), h));
                continue;
            }
            Operand d = device.get(o.name());
            if (d == null) {
                throw new UnsupportedOperatorException("cuda-gpu: segment output '" + o.name() + "' is never computed");
            }
            if (!d.isActivation()) {
                d = copyOfConstant(d);
            }
            planner.read(d.value(), BufferPlanner.AFTER_LAST_STEP);
            outs.add(new Program.Binding(o.name(), d.value(), d.shape(), d.type(), null));
        }
        if (zeroCopy) {
            for (Program.Binding io : inputs) {
                planner.dedicate(io.slot());
            }
            for (Program.Binding io : outs) {
                if (io.slot() >= 0) {
                    planner.dedicate(io.slot());
                }
            }
        }
        BufferPlanner.Plan plan = planner.plan();
        List<Step> placed = new ArrayList<>(steps.size());
        for (Step s : steps) {
            List<Arg> args = new ArrayList<>();
            for (Arg a : s.args()) {
                args.add(a instanceof Arg.Slot slot ? new Arg.Slot(plan.slotOfValue()[slot.slot()]) : a);
            }
            placed.add(new Step(s.operator(), s.kernel(), s.config(), args));
        }
        return new Program(placed, plan.slotBytes(), constants.toBuffer(), rebind(inputs, plan), rebind(outs, plan),
                plan.dedicatedSlots());
    }

    private static List<Program.Binding> rebind(List<Program.Binding> bs, BufferPlanner.Plan plan) {
        List<Program.Binding> r = new ArrayList<>();
        for (Program.Binding b : bs) {
            r.add(b.slot() < 0 ? b : new Program.Binding(b.name(), plan.slotOfValue()[b.slot()], b.shape(), b.type(), null));
        }
        return r;
    }

    private Operand copyOfConstant(Operand c) {
        Operand out = activation(c.shape(), c.type());
        Lowering.stridedCopy(this, "output copy", c, out, c.shape(), Broadcast.strides(c.shape()), 0,
                Broadcast.strides(c.shape()), 0);
        return out;
    }

    private void compileNode(Node n, int index) {
        String op = n.opType();
        if (op.equals("Shape")) {
            hostDefine(n.outputs().get(0), HostFolding.shapeOf(n, shapeOf(n.input(0))));
            return;
        }
        if (HostFolding.canFold(op) && allInputsOnHost(n)) {
            List<HostValue> in = new ArrayList<>();
            for (String s : n.inputs()) {
                in.add(s.isEmpty() ? null : hostValue(s));
            }
            HostValue[] out = HostFolding.fold(n, in, opset);
            for (int i = 0; i < out.length && i < n.outputs().size(); i++) {
                hostDefine(n.outputs().get(i), out[i]);
            }
            return;
        }
        if (ConvLowering.handles(op)) {
            ConvLowering.lower(this, n, index);
        } else {
            Lowering.lower(this, n, index);
        }
    }

    private boolean allInputsOnHost(Node n) {
        for (String s : n.inputs()) {
            if (!s.isEmpty() && hostValue(s) == null) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------- for the lowerings

    Graph graph() {
        return graph;
    }

    long opset() {
        return opset;
    }

    double denseBelowSparsity() {
        return denseBelowSparsity;
    }

    ConstantBlock constants() {
        return constants;
    }

    List<Node> nodes() {
        return nodes;
    }

    /** The host value of a tensor (a weight, a folded value, an integer input), or null. */
    HostValue hostValue(String name) {
        HostValue h = host.get(name);
        if (h == null && graph.isWeight(name) && !device.containsKey(name)) {
            h = HostValue.of(graph.weights().get(name));
            host.put(name, h);
        }
        return h;
    }

    boolean isOnDevice(String name) {
        return device.containsKey(name);
    }

    long[] shapeOf(String name) {
        Operand d = device.get(name);
        if (d != null) {
            return d.shape();
        }
        HostValue h = hostValue(name);
        if (h == null) {
            throw new IllegalArgumentException("tensor '" + name + "' is not computed before it is used");
        }
        return h.shape();
    }

    /** A tensor as a device operand: host values become constants (uploaded once). */
    Operand operand(String name) {
        Operand d = device.get(name);
        if (d != null) {
            return d;
        }
        HostValue h = hostValue(name);
        if (h == null) {
            throw new IllegalArgumentException("tensor '" + name + "' is not computed before it is used");
        }
        Operand c = Operand.constant(constants.floats(h.toFloats()), h.shape(),
                h.type() == DataType.BOOL ? DataType.BOOL : DataType.FLOAT);
        device.put(name, c);
        return c;
    }

    Operand activation(long[] shape, DataType type) {
        return Operand.activation(planner.value(4 * Math.max(1, Broadcast.count(shape))), shape, type);
    }

    void define(String name, Operand operand) {
        device.put(name, operand);
    }

    void hostDefine(String name, HostValue value) {
        host.put(name, value);
    }

    /** Whether a tensor is read once, by a node of this segment, and is no segment output: it can be fused away. */
    boolean fusible(String tensor) {
        return readers.getOrDefault(tensor, 0) == 1 && !segmentOutputs.contains(tensor);
    }

    /** The one node of this segment after {@code index} that reads {@code tensor}, or null. */
    Node soleReader(String tensor, int index) {
        if (!fusible(tensor)) {
            return null;
        }
        for (int i = index + 1; i < nodes.size(); i++) {
            if (nodes.get(i).inputs().contains(tensor)) {
                return nodes.get(i);
            }
        }
        return null;
    }

    /** A zero-valued constant Pad of H and W that the one Conv reading it applies as its own padding instead. */
    record PadFold(String source, long top, long left, long bottom, long right) {
    }

    private final Map<String, PadFold> padFolds = new HashMap<>();

    void foldPad(String padOutput, PadFold fold) {
        padFolds.put(padOutput, fold);
    }

    /** The Pad folded into the Conv that reads {@code tensor}, or null. */
    PadFold padFold(String tensor) {
        return padFolds.get(tensor);
    }

    void fuseAway(Node node) {
        fusedAway.add(node.name());
    }

    /**
     * Adds a launch. {@code args} are Operands (their buffer), Args, Long (64-bit) or Float values, null (a null
     * pointer); every activation operand in {@code reads}/{@code writes} is recorded for the buffer plan.
     */
    void emit(String operator, Kernel kernel, LaunchConfig config, Operand[] reads, Operand[] writes, Object... args) {
        int step = steps.size();
        for (Operand r : reads) {
            if (r != null && r.isActivation()) {
                planner.read(r.value(), step);
            }
        }
        for (Operand w : writes) {
            planner.written(w.value(), step);
        }
        List<Arg> list = new ArrayList<>(args.length);
        for (Object a : args) {
            if (a == null) {
                list.add(Arg.NULL);
            } else if (a instanceof Operand o) {
                list.add(o.arg());
            } else if (a instanceof Arg x) {
                list.add(x);
            } else if (a instanceof Long l) {
                list.add(new Arg.I64(l));
            } else if (a instanceof Float f) {
                list.add(new Arg.F32(f));
            } else {
                throw new IllegalArgumentException("kernel argument " + a + " of " + kernel);
            }
        }
        steps.add(new Step(operator, kernel, config, list));
    }
}
