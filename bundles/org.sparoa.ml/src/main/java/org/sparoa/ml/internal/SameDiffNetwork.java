package org.sparoa.ml.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.sparoa.api.learn.NetworkSpec;
import org.sparoa.api.learn.Sequence;
import org.sparoa.api.learn.SequenceNetwork;

/**
 * {@link SequenceNetwork} on one SameDiff graph, which trains; predictions run the same arithmetic in plain Java
 * ({@link PlainTransformerLstm}, rebuilt from the weights after training steps). Every ND4J call runs under this
 * bundle's context class loader.
 */
final class SameDiffNetwork implements SequenceNetwork {
    private final NetworkSpec spec;
    private final SameDiff sd;
    /** The forward pass of the current weights; null after a training step until the next prediction. */
    private PlainTransformerLstm plain;

    SameDiffNetwork(NetworkSpec spec, Map<String, float[]> weights, double learningRate) {
        this.spec = spec;
        this.sd = SameDiff.create();
        TransformerLstmGraph.build(sd, spec, weights);
        sd.setTrainingConfig(TrainingConfig.builder()
                .updater(new Adam(learningRate))
                .dataSetFeatureMapping(TransformerLstmGraph.FEATURES)
                .dataSetLabelMapping(TransformerLstmGraph.TARGETS, TransformerLstmGraph.WEIGHTS)
                .build());
    }

    @Override
    public NetworkSpec spec() {
        return spec;
    }

    @Override
    public synchronized float[][] predict(float[][] features) {
        check(features, spec.features(), "features");
        if (plain == null) {
            plain = new PlainTransformerLstm(spec, weights());
        }
        return plain.predict(features);
    }

    /** The graph's own forward pass (what {@link #predict} must equal). */
    synchronized float[][] predictWithGraph(float[][] features) {
        check(features, spec.features(), "features");
        return ContextLoader.call(() -> {
            INDArray out = sd.output(Map.of(TransformerLstmGraph.FEATURES, matrix(features)),
                    TransformerLstmGraph.OUTPUT).get(TransformerLstmGraph.OUTPUT);
            return out.toFloatMatrix();
        });
    }

    @Override
    public synchronized double fit(Sequence example) {
        checkExample(example);
        return ContextLoader.call(() -> {
            // in 1.0.0-M2.1 neither History (null loss curve for one MultiDataSet) nor a listener (loss 0, or no
            // activation callback for the loss) reports the training loss: one forward pass measures it
            double before = lossOf(example);
            plain = null;
            sd.fit(new MultiDataSet(new INDArray[] {matrix(example.features())},
                    new INDArray[] {matrix(example.targets()), matrix(example.weights())}));
            return before;
        });
    }

    @Override
    public synchronized double loss(Sequence example) {
        checkExample(example);
        return ContextLoader.call(() -> lossOf(example));
    }

    private double lossOf(Sequence example) {
        return sd.output(Map.of(
                        TransformerLstmGraph.FEATURES, matrix(example.features()),
                        TransformerLstmGraph.TARGETS, matrix(example.targets()),
                        TransformerLstmGraph.WEIGHTS, matrix(example.weights())), TransformerLstmGraph.LOSS)
                .get(TransformerLstmGraph.LOSS).getDouble(0);
    }

    @Override
    public synchronized Map<String, float[]> weights() {
        return ContextLoader.call(() -> {
            Map<String, float[]> out = new LinkedHashMap<>();
            TransformerLstmGraph.shapes(spec).keySet()
                    .forEach(name -> out.put(name, sd.getVariable(name).getArr().dup('c').data().asFloat()));
            return out;
        });
    }

    @Override
    public long parameterCount() {
        return TransformerLstmGraph.shapes(spec).values().stream().mapToLong(TransformerLstmGraph::size).sum();
    }

    @Override
    public void close() {
        // SameDiff holds no resource beyond its arrays; they go with the graph
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
