package org.sparoa.api.learn;

/**
 * What one update of a soft actor-critic agent measured on its batch, before the step: the critics' mean squared
 * TD error, the actor's loss, the temperature (entropy weight) and the policy's mean entropy over the allowed actions.
 */
public record UpdateStats(double criticLoss, double actorLoss, double temperature, double entropy) {
}
