package org.sparoa.api.learn;

import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/** Makes sequence networks (the service this bundle registers). */
@ProviderType
public interface SequenceNetworks {

    /** A new network with seeded random weights, trained by Adam at {@code learningRate}. */
    SequenceNetwork create(NetworkSpec spec, long seed, double learningRate);

    /**
     * A network with these weights (as {@link SequenceNetwork#weights()} gave them). Throws
     * {@link IllegalArgumentException} naming the array that is missing or has the wrong size.
     */
    SequenceNetwork restore(NetworkSpec spec, Map<String, float[]> weights, double learningRate);

    /** The numerical backend and its thread count, for logs and shell output. */
    String describe();
}
