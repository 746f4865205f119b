package org.sparoa.ml.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparoa.api.learn.NetworkSpec;
import org.sparoa.api.learn.Sequence;
import org.sparoa.api.learn.SequenceNetwork;

/**
 * {@link SequenceNetwork} over {@link TransformerLstmGraph}'s network. A training step: the forward pass in plain
 * Java ({@link PlainTransformerLstm#encode}, {@link LstmHead#forward}), back-propagation through the head and the LSTM
 * in plain Java ({@link LstmHead#backward}), the encoder's gradients from SameDiff's automatic differentiation of an
 * encoder-only graph given d loss / d encoder output ({@link TransformerLstmGraph#buildEncoder}), then one Adam step
 * over every array ({@link NamedAdam}). The weights live here as Java arrays; the encoder graph's variables are set
 * from them before each gradient, which runs on the runtime's one ND4J thread ({@link Nd4jThread}). Predictions run
 * in plain Java ({@link PlainTransformerLstm}, rebuilt after training steps). Every ND4J call runs under this
 * bundle's context class loader.
 */
final class TransformerLstmNetwork implements SequenceNetwork {
    private final NetworkSpec spec;
    private final Map<String, float[]> weights;
    private final NamedAdam adam;
    private final List<String> encoderWeights;
    private final Nd4jThread nd4j;
    /** The encoder-only graph, built on the first training step. */
    private SameDiff encoder;
    /** The forward pass of the current weights; null after a training step until it is needed again. */
    private PlainTransformerLstm plain;

    /**
     * Over a checked copy of {@code weights} (a missing or mis-sized array is named), which training steps in place.
     */
    TransformerLstmNetwork(NetworkSpec spec, Map<String, float[]> weights, double learningRate, Nd4jThread nd4j) {
        this.spec = spec;
        this.nd4j = nd4j;
        this.weights = TransformerLstmGraph.checkedWeights(spec, weights);
        this.adam = new NamedAdam(learningRate);
        this.encoderWeights = TransformerLstmGraph.encoderWeights(spec);
    }

    @Override
    public NetworkSpec spec() {
        return spec;
    }

    @Override
    public synchronized float[][] predict(float[][] features) {
        check(features, spec.features(), "features");
        return forwardPass().predict(features);
    }

    /** SameDiff's forward pass of the whole graph on the current weights (what {@link #predict} must equal). */
    synchronized float[][] predictWithGraph(float[][] features) {
        check(features, spec.features(), "features");
        return ContextLoader.call(() -> {
            SameDiff sd = SameDiff.create();
            TransformerLstmGraph.build(sd, spec, weights);
            INDArray out = sd.output(Map.of(TransformerLstmGraph.FEATURES, matrix(features)),
                    TransformerLstmGraph.OUTPUT).get(TransformerLstmGraph.OUTPUT);
            return out.toFloatMatrix();
        });
    }

    /** SameDiff's gradients of the whole graph's loss (what the training steps use), by weight name. */
    synchronized Map<String, float[]> gradientsWithGraph(Sequence example) {
        checkExample(example);
        return ContextLoader.call(() -> {
            SameDiff sd = SameDiff.create();
            TransformerLstmGraph.build(sd, spec, weights);
            Map<String, INDArray> g = sd.calculateGradients(Map.of(
                    TransformerLstmGraph.FEATURES, matrix(example.features()),
                    TransformerLstmGraph.TARGETS, matrix(example.targets()),
                    TransformerLstmGraph.WEIGHTS, matrix(example.weights())), weights.keySet());
            Map<String, float[]> out = new LinkedHashMap<>();
            g.forEach((name, array) -> out.put(name, floats(array)));
            return out;
        });
    }

    /** The gradients a training step takes, by weight name, and the loss before it. */
    synchronized Map<String, float[]> gradients(Sequence example, double[] loss) {
        checkExample(example);
        float[][] encoded = forwardPass().encode(example.features());
        LstmHead.Forward head = LstmHead.forward(spec, weights, encoded);
        LstmHead.Gradient g = LstmHead.backward(spec, weights, head, example.targets(), example.weights());
        Map<String, float[]> all = new LinkedHashMap<>(g.weights());
        all.putAll(encoderGradients(example.features(), g.encoded()));
        loss[0] = g.loss();
        return all;
    }

    @Override
    public synchronized double fit(Sequence example) {
        double[] loss = new double[1];
        Map<String, float[]> g = gradients(example, loss);
        adam.step(weights, g);
        plain = null;
        return loss[0];
    }

    @Override
    public synchronized double loss(Sequence example) {
        checkExample(example);
        return LstmHead.loss(forwardPass().predict(example.features()), example.targets(), example.weights());
    }

    @Override
    public synchronized Map<String, float[]> weights() {
        Map<String, float[]> out = new LinkedHashMap<>();
        weights.forEach((name, v) -> out.put(name, v.clone()));
        return out;
    }

    @Override
    public long parameterCount() {
        return TransformerLstmGraph.shapes(spec).values().stream().mapToLong(TransformerLstmGraph::size).sum();
    }

    /**
     * Frees the native arrays SameDiff keeps for the encoder graph at once: each thread that asked it for gradients
     * has a session (in the graph and in its gradient function) whose memory manager caches arrays for reuse. Left to
     * the garbage collector, a server whose training runs each come on a new thread kept every run's cache.
     */
    @Override
    public synchronized void close() {
        SameDiff graph = encoder;
        encoder = null;
        if (graph != null) {
            nd4j.run(() -> {
                releaseSessions(graph);
                SameDiff gradient = graph.getFunction(GRADIENT_FUNCTION);
                if (gradient != null) {
                    releaseSessions(gradient);
                }
            });
        }
    }

    /** SameDiff's name for the gradient function of a graph ({@code SameDiff.GRAD_FN_KEY}, not public). */
    private static final String GRADIENT_FUNCTION = "grad";

    private static void releaseSessions(SameDiff graph) {
        graph.getSessions().values().forEach(session -> session.getMmgr().close());
        graph.getSessions().clear();
    }

    private PlainTransformerLstm forwardPass() {
        if (plain == null) {
            plain = new PlainTransformerLstm(spec, weights);
        }
        return plain;
    }

    /**
     * The encoder's gradients given d loss / d encoder output. Every native array this makes is freed before it
     * returns: the variables' arrays are written in place, the inputs and the gradients closed once read, so that a
     * training step leaves no native memory waiting for the garbage collector (which a large heap runs rarely; in
     * a server that let each training run strand a few hundred MB in the allocator).
     */
    private Map<String, float[]> encoderGradients(float[][] features, float[][] encodedGradient) {
        return nd4j.call(() -> {
            if (encoder == null) {
                encoder = SameDiff.create();
                TransformerLstmGraph.buildEncoder(encoder, spec, weights);
            } else {
                for (String name : encoderWeights) {
                    // created by buildEncoder as contiguous 'c' arrays of exactly these values
                    encoder.getVariable(name).getArr().data().setData(weights.get(name));
                }
            }
            Map<String, float[]> out = new LinkedHashMap<>();
            try (INDArray x = matrix(features); INDArray dEncoded = matrix(encodedGradient)) {
                Map<String, INDArray> g = encoder.calculateGradients(Map.of(TransformerLstmGraph.FEATURES, x,
                        TransformerLstmGraph.ENCODED_GRADIENT, dEncoded), encoderWeights);
                g.forEach((name, array) -> {
                    out.put(name, floats(array));
                    close(array);
                });
            }
            return out;
        });
    }

    /** The values of {@code array} in row-major order. */
    private static float[] floats(INDArray array) {
        if (array.ordering() == 'c' && array.offset() == 0 && array.length() == array.data().length()) {
            return array.data().asFloat();
        }
        try (INDArray copy = array.dup('c')) {
            return copy.data().asFloat();
        }
    }

    private static void close(INDArray array) {
        if (array.closeable()) {
            array.close();
        }
    }

    private void checkExample(Sequence e) {
        check(e.features(), spec.features(), "features");
        check(e.targets(), spec.outputs(), "targets");
        check(e.weights(), spec.outputs(), "target weights");
    }

    private static void check(float[][] rows, int width, String what) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("a sequence needs at least one step of " + what);
        }
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != width) {
                throw new IllegalArgumentException(what + " row " + i + " has " + rows[i].length
                        + " values, the network takes " + width);
            }
        }
    }

    private static INDArray matrix(float[][] rows) {
        return Nd4j.create(rows);
    }
}
