package org.sparoa.api.analysis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.sparoa.api.DataType;
import org.sparoa.api.Shapes;
import org.sparoa.api.Tensor;

/**
 * What calibration runs measured about a model's tensors: the type and shape of every tensor seen, and per run
 * how many of its elements were zero. Only counts are kept, never the tensors, so memory does not grow with runs.
 * Made once per model and input shapes by the planning pipeline (or by {@link Calibrator} for a user's analysis);
 * the analyzer computes every operator's metrics from it without running anything.
 */
public final class Calibration {
    private final int runs;
    private final Map<String, DataType> types;
    private final Map<String, long[]> shapes;
    private final Map<String, long[]> zeros;
    private final Map<String, long[]> elements;
    private final Map<String, long[]> inputShapes;
    private final List<String> notes;

    private Calibration(Builder b) {
        this.runs = b.runs;
        this.types = Map.copyOf(b.types);
        this.shapes = copy(b.shapes);
        this.zeros = copy(b.zeros);
        this.elements = copy(b.elements);
        this.inputShapes = copy(b.inputShapes);
        this.notes = List.copyOf(b.notes);
    }

    private static Map<String, long[]> copy(Map<String, long[]> m) {
        Map<String, long[]> out = new HashMap<>();
        m.forEach((k, v) -> out.put(k, v.clone()));
        return Map.copyOf(out);
    }

    /** A calibration that measured nothing (the model's annotations are all there is), saying why. */
    public static Calibration none(String why) {
        return builder(0).note(why).build();
    }

    public static Builder builder(int runs) {
        return new Builder(runs);
    }

    /** Calibration runs made (0: none; shapes then come from the model's annotations only). */
    public int runs() {
        return runs;
    }

    /** The measured shape of a tensor, if a run saw it. */
    public Optional<long[]> shape(String tensor) {
        long[] s = shapes.get(tensor);
        return s == null ? Optional.empty() : Optional.of(s.clone());
    }

    public Optional<DataType> type(String tensor) {
        return Optional.ofNullable(types.get(tensor));
    }

    /** Names of every tensor a run saw. */
    public java.util.Set<String> tensors() {
        return shapes.keySet();
    }

    /** The shapes the model's inputs had in the runs. */
    public Map<String, long[]> inputShapes() {
        return copy(inputShapes);
    }

    /** Bytes of a measured tensor, or -1 when no run saw it. */
    public long bytes(String tensor) {
        long[] s = shapes.get(tensor);
        DataType t = types.get(tensor);
        return s == null || t == null ? -1 : Shapes.elementCount(s) * t.byteSize();
    }

    /**
     * Fraction of zeros over the given tensors together, per run, summarised; empty when no run measured any of
     * them (or there were no runs).
     */
    public Optional<SparsityStats> sparsity(List<String> tensorNames) {
        if (runs == 0) {
            return Optional.empty();
        }
        double[] perRun = new double[runs];
        int measured = 0;
        for (int r = 0; r < runs; r++) {
            long z = 0;
            long n = 0;
            for (String t : tensorNames) {
                long[] e = elements.get(t);
                if (e != null && e[r] > 0) {
                    z += zeros.get(t)[r];
                    n += e[r];
                }
            }
            if (n > 0) {
                perRun[measured++] = (double) z / n;
            }
        }
        return measured == 0 ? Optional.empty() : Optional.of(SparsityStats.of(Arrays.copyOf(perRun, measured)));
    }

    /** Why something was not measured (e.g. the calibration run failed), for the analysis's notes. */
    public List<String> notes() {
        return notes;
    }

    /** Collects one calibration's runs. Not thread-safe. */
    public static final class Builder {
        private final int runs;
        private final Map<String, DataType> types = new HashMap<>();
        private final Map<String, long[]> shapes = new HashMap<>();
        private final Map<String, long[]> zeros = new HashMap<>();
        private final Map<String, long[]> elements = new HashMap<>();
        private final Map<String, long[]> inputShapes = new HashMap<>();
        private final List<String> notes = new ArrayList<>();

        private Builder(int runs) {
            if (runs < 0) {
                throw new IllegalArgumentException("calibration runs must be 0 or more, got " + runs);
            }
            this.runs = runs;
        }

        /** Records a tensor of run {@code run} (0-based): its type, shape and zero count. */
        public Builder record(int run, String name, Tensor value) {
            if (run < 0 || run >= runs) {
                throw new IllegalArgumentException("run " + run + " outside 0.." + (runs - 1));
            }
            types.put(name, value.type());
            shapes.put(name, value.shape());
            zeros.computeIfAbsent(name, k -> new long[runs])[run] = ZeroCounter.zeros(value);
            elements.computeIfAbsent(name, k -> new long[runs])[run] = value.elementCount();
            return this;
        }

        /** Records the shapes of the model's inputs in the runs. */
        public Builder inputShape(String input, long[] shape) {
            inputShapes.put(input, shape.clone());
            return this;
        }

        public Builder note(String note) {
            notes.add(note);
            return this;
        }

        public Calibration build() {
            return new Calibration(this);
        }
    }
}
