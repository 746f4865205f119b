package org.sparoa.ml.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.sparoa.api.learn.AgentSpec;
import org.sparoa.api.learn.SoftActorCritic;
import org.sparoa.api.learn.Transition;
import org.sparoa.api.learn.UpdateStats;

/**
 * {@link SoftActorCritic} on ND4J arrays. An update runs the actor and both critics on the batch's states and the
 * actor and both target critics on its next states; computes the critics' targets
 * {@code r + gamma (1 - done) sum_a' p(a') (min target Q(a') - alpha log p(a'))}, the actor's loss against the
 * smaller critic and the temperature's entropy gap (entropy minus {@code targetEntropyRatio} times the log of the
 * number of allowed actions, per state); back-propagates each loss into its own network only; steps Adam on the
 * actor, the critics and the log-temperature; and moves the target critics {@code tau} of the way to the critics.
 * Every public method is synchronised and does its ND4J work on the runtime's one ND4J thread ({@link Nd4jThread}),
 * under this bundle's context class loader; after {@link #close()} they throw {@link IllegalStateException}.
 *
 * <p>The arrays of one call (activations, gradients) live in an ND4J workspace of that thread, shared by all agents,
 * kept at the size the largest call needed: allocating and freeing them natively each time costs several
 * times the arithmetic at these sizes. Nothing made in it outlives the call.
 */
final class SoftActorCriticAgent implements SoftActorCritic {
    private static final String WORKSPACE = "org.sparoa.ml.agent";
    private static final WorkspaceConfiguration SCRATCH = WorkspaceConfiguration.builder()
            .policyAllocation(AllocationPolicy.OVERALLOCATE).overallocationLimit(0.2)
            .policyLearning(LearningPolicy.FIRST_LOOP).policySpill(SpillPolicy.REALLOCATE).build();

    private final AgentSpec spec;
    private final SacParameters parameters;
    private final Perceptron actor;
    private final Perceptron critic1;
    private final Perceptron critic2;
    private final Perceptron target1;
    private final Perceptron target2;
    private final AdamStep adam;
    private final Nd4jThread nd4j;
    private boolean closed;

    SoftActorCriticAgent(AgentSpec spec, Map<String, float[]> weights, Nd4jThread nd4j) {
        this.spec = spec;
        this.nd4j = nd4j;
        this.parameters = new SacParameters(spec, weights);
        Map<String, INDArray> arrays = parameters.arrays();
        Map<String, INDArray> slots = parameters.gradients();
        int layers = spec.hiddenLayers() + 1;
        actor = new Perceptron(SacWeights.ACTOR, layers, arrays, slots);
        critic1 = new Perceptron(SacWeights.CRITIC1, layers, arrays, slots);
        critic2 = new Perceptron(SacWeights.CRITIC2, layers, arrays, slots);
        target1 = new Perceptron(SacWeights.TARGET1, layers, arrays, null);
        target2 = new Perceptron(SacWeights.TARGET2, layers, arrays, null);
        adam = new AdamStep(spec.learningRate(), parameters.trained());
    }

    @Override
    public AgentSpec spec() {
        return spec;
    }

    @Override
    public synchronized float[][] policy(float[][] states, boolean[][] masks) {
        open();
        AgentInputs.checkStates(states, spec, "states");
        AgentInputs.checkMasks(masks, states.length, spec);
        return inScratch(() ->
                MaskedPolicy.of(SacArrays.rows(actor.forward(SacArrays.matrix(states)).output()), masks).probs);
    }

    @Override
    public synchronized float[][] values(float[][] states) {
        open();
        AgentInputs.checkStates(states, spec, "states");
        return inScratch(() -> {
            INDArray s = SacArrays.matrix(states);
            return SacArrays.rows(Transforms.min(critic1.forward(s).output(), critic2.forward(s).output()));
        });
    }

    @Override
    public synchronized UpdateStats update(List<Transition> batch) {
        open();
        AgentInputs.checkBatch(batch, spec);
        return inScratch(() -> step(batch));
    }

    private UpdateStats step(List<Transition> batch) {
        int n = batch.size();
        int actions = spec.actions();
        float[][] states = new float[n][];
        float[][] nextStates = new float[n][];
        boolean[][] masks = new boolean[n][];
        boolean[][] nextMasks = new boolean[n][];
        for (int i = 0; i < n; i++) {
            Transition t = batch.get(i);
            states[i] = t.state();
            nextStates[i] = t.nextState();
            masks[i] = t.mask();
            nextMasks[i] = t.nextMask();
        }
        INDArray s = SacArrays.matrix(states);
        INDArray next = SacArrays.matrix(nextStates);
        Perceptron.Pass actorPass = actor.forward(s);
        Perceptron.Pass q1Pass = critic1.forward(s);
        Perceptron.Pass q2Pass = critic2.forward(s);
        MaskedPolicy policy = MaskedPolicy.of(SacArrays.rows(actorPass.output()), masks);
        MaskedPolicy nextPolicy = MaskedPolicy.of(SacArrays.rows(actor.forward(next).output()), nextMasks);
        float[][] nextTarget = SacArrays.rows(
                Transforms.min(target1.forward(next).output(), target2.forward(next).output()));
        float[][] q1 = SacArrays.rows(q1Pass.output());
        float[][] q2 = SacArrays.rows(q2Pass.output());
        double alpha = temperatureNow();

        float[][] q1Gradient = new float[n][actions];
        float[][] q2Gradient = new float[n][actions];
        float[][] criticMin = new float[n][actions];
        double criticLoss = 0;
        double entropy = 0;
        double gap = 0;
        for (int i = 0; i < n; i++) {
            Transition t = batch.get(i);
            double y = t.reward() + (t.done() ? 0 : spec.gamma() * softValue(nextPolicy, nextTarget[i], i, alpha));
            int a = t.action();
            double e1 = q1[i][a] - y;
            double e2 = q2[i][a] - y;
            criticLoss += (e1 * e1 + e2 * e2) / n;
            q1Gradient[i][a] = (float) (2 * e1 / n);
            q2Gradient[i][a] = (float) (2 * e2 / n);
            for (int k = 0; k < actions; k++) {
                criticMin[i][k] = Math.min(q1[i][k], q2[i][k]);
            }
            double h = policy.entropy(i);
            entropy += h / n;
            gap += (h - spec.targetEntropyRatio() * Math.log(AgentInputs.allowed(t.mask()))) / n;
        }
        double actorLoss = policy.loss(criticMin, alpha);

        critic1.backward(q1Pass, SacArrays.matrix(q1Gradient));
        critic2.backward(q2Pass, SacArrays.matrix(q2Gradient));
        actor.backward(actorPass, SacArrays.matrix(policy.lossGradient(criticMin, alpha)));
        // temperature loss log(alpha) * (entropy - target entropy): alpha falls while the policy is too random
        parameters.gradients().get(SacWeights.LOG_ALPHA).assign(gap);
        adam.apply(parameters.gradient());
        parameters.moveTargets(spec.tau());
        return new UpdateStats(criticLoss, actorLoss, alpha, entropy);
    }

    /** {@code sum_a p(a) (q(a) - alpha log p(a))} of row {@code i}: the next state's value under the policy. */
    private static double softValue(MaskedPolicy policy, float[] q, int i, double alpha) {
        double v = 0;
        for (int a = 0; a < q.length; a++) {
            if (policy.probs[i][a] > 0) {
                v += policy.probs[i][a] * (q[a] - alpha * policy.logProbs[i][a]);
            }
        }
        return v;
    }

    @Override
    public synchronized double temperature() {
        open();
        return nd4j.call(this::temperatureNow);
    }

    private double temperatureNow() {
        return Math.exp(parameters.arrays().get(SacWeights.LOG_ALPHA).getDouble(0));
    }

    @Override
    public synchronized Map<String, float[]> weights() {
        open();
        return nd4j.call(() -> {
            Map<String, float[]> out = new LinkedHashMap<>();
            parameters.arrays().forEach((name, array) -> out.put(name, array.dup('c').data().asFloat()));
            return out;
        });
    }

    /** The trained parameters: actor, twin critics and the temperature (the target copies are not counted). */
    @Override
    public long parameterCount() {
        Map<String, long[]> shapes = SacWeights.shapes(spec);
        return SacWeights.trainable(spec).stream().mapToLong(name -> SacWeights.size(shapes.get(name))).sum();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        nd4j.run(() -> {
            adam.close();
            parameters.close();
        });
    }

    private <T> T inScratch(Supplier<T> work) {
        return nd4j.call(() -> {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().getAndActivateWorkspace(SCRATCH, WORKSPACE)) {
                return work.get();
            }
        });
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException("this soft actor-critic agent is closed");
        }
    }
}
