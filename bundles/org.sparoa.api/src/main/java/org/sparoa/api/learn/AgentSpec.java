package org.sparoa.api.learn;

/**
 * The shape and hyper-parameters of a discrete soft actor-critic agent: a state of {@code stateSize} numbers, one of
 * {@code actions} actions, an actor and twin critics of {@code hiddenLayers} layers of {@code hiddenUnits} units
 * each, Adam at {@code learningRate}, discount {@code gamma}, soft target update rate {@code tau}, and a target
 * entropy of {@code targetEntropyRatio} times the largest entropy the unmasked actions allow (the temperature is
 * tuned automatically towards it).
 */
public record AgentSpec(int stateSize, int actions, int hiddenUnits, int hiddenLayers, double learningRate,
                        double gamma, double tau, double targetEntropyRatio) {

    public AgentSpec {
        if (stateSize < 1 || actions < 2 || hiddenUnits < 1 || hiddenLayers < 1) {
            throw new IllegalArgumentException("an agent needs a state, at least two actions and a hidden layer, got "
                    + stateSize + " state numbers, " + actions + " actions, " + hiddenLayers + " layers of "
                    + hiddenUnits + " units");
        }
        if (!(learningRate > 0) || !(gamma >= 0 && gamma <= 1) || !(tau > 0 && tau <= 1)
                || !(targetEntropyRatio >= 0 && targetEntropyRatio < 1)) {
            throw new IllegalArgumentException("agent hyper-parameters out of range: learning rate " + learningRate
                    + " (> 0), gamma " + gamma + " (0..1), tau " + tau + " (0..1], target entropy ratio "
                    + targetEntropyRatio + " [0..1)");
        }
    }

    /** Sizes with the usual hyper-parameters: 3e-4, gamma 0.99, tau 0.005, target entropy 0.6 of the maximum. */
    public static AgentSpec of(int stateSize, int actions, int hiddenUnits, int hiddenLayers) {
        return new AgentSpec(stateSize, actions, hiddenUnits, hiddenLayers, 3e-4, 0.99, 0.005, 0.6);
    }
}
