package org.sparoa.ml.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.sparoa.api.learn.AgentSpec;

/**
 * The arrays of a discrete soft actor-critic agent, by name: three multi-layer perceptrons of {@code hiddenLayers}
 * ReLU layers (the actor, state to one logit per action; the twin critics, state to one value per action), the
 * critics' target copies, and the log-temperature. Names and shapes are the saved form of an agent.
 */
final class SacWeights {
    static final String LOG_ALPHA = "log_alpha";
    static final String ACTOR = "actor";
    static final String CRITIC1 = "critic1";
    static final String CRITIC2 = "critic2";
    static final String TARGET1 = "target1";
    static final String TARGET2 = "target2";

    private SacWeights() {
    }

    /** Every array the agent keeps, by name, in a fixed order: actor, critics, target critics, log-temperature. */
    static Map<String, long[]> shapes(AgentSpec s) {
        Map<String, long[]> m = new LinkedHashMap<>();
        for (String net : List.of(ACTOR, CRITIC1, CRITIC2, TARGET1, TARGET2)) {
            perceptron(m, net, s);
        }
        m.put(LOG_ALPHA, new long[] {1, 1});
        return m;
    }

    private static void perceptron(Map<String, long[]> m, String net, AgentSpec s) {
        long in = s.stateSize();
        for (int l = 0; l <= s.hiddenLayers(); l++) {
            long out = l == s.hiddenLayers() ? s.actions() : s.hiddenUnits();
            m.put(weight(net, l), new long[] {in, out});
            m.put(bias(net, l), new long[] {1, out});
            in = out;
        }
    }

    /** The names the optimiser trains: the actor, both critics and the log-temperature (targets only follow). */
    static List<String> trainable(AgentSpec s) {
        List<String> names = new ArrayList<>();
        shapes(s).keySet().stream().filter(n -> !isTarget(n)).forEach(names::add);
        return names;
    }

    static boolean isTarget(String name) {
        return name.startsWith(TARGET1 + "_") || name.startsWith(TARGET2 + "_");
    }

    /** The critic array a target array follows. */
    static String followed(String targetName) {
        return (targetName.startsWith(TARGET1) ? CRITIC1 : CRITIC2)
                + targetName.substring(targetName.indexOf('_'));
    }

    static String weight(String net, int layer) {
        return net + "_W" + layer;
    }

    static String bias(String net, int layer) {
        return net + "_b" + layer;
    }

    static long size(long[] shape) {
        long n = 1;
        for (long v : shape) {
            n *= v;
        }
        return n;
    }

    /**
     * Seeded weights: He-normal hidden layers (ReLU), output layers a tenth of Glorot so that the first policy is
     * nearly uniform and the first values near zero; zero biases; targets equal to their critics; temperature 1.
     */
    static Map<String, float[]> randomWeights(AgentSpec spec, long seed) {
        Random r = new Random(seed);
        Map<String, float[]> out = new LinkedHashMap<>();
        shapes(spec).forEach((name, shape) -> {
            float[] v = new float[(int) size(shape)];
            if (isTarget(name)) {
                v = out.get(followed(name)).clone();
            } else if (name.contains("_W")) {
                boolean output = name.endsWith("_W" + spec.hiddenLayers());
                double std = output ? 0.1 * Math.sqrt(2.0 / (shape[0] + shape[1])) : Math.sqrt(2.0 / shape[0]);
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (r.nextGaussian() * std);
                }
            }
            out.put(name, v);
        });
        return out;
    }

    static Map<String, float[]> checkedWeights(AgentSpec spec, Map<String, float[]> weights) {
        if (weights == null) {
            throw new IllegalArgumentException("agent weights are missing (null)");
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        shapes(spec).forEach((name, shape) -> {
            float[] v = weights.get(name);
            if (v == null) {
                throw new IllegalArgumentException("agent weights lack array '" + name + "' (spec " + spec + ")");
            }
            if (v.length != size(shape)) {
                throw new IllegalArgumentException("agent weight '" + name + "' has " + v.length
                        + " values, the spec " + spec + " needs " + size(shape));
            }
            for (float f : v) {
                if (!Float.isFinite(f)) {
                    throw new IllegalArgumentException("agent weight '" + name + "' holds a non-finite value " + f);
                }
            }
            out.put(name, v.clone());
        });
        return out;
    }
}
