package org.sparoa.ml;

import org.sparoa.api.learn.SequenceNetworks;
import org.sparoa.api.learn.SoftActorCritics;

import org.sparoa.ml.internal.Nd4jRuntime;

/**
 * Sequence networks and soft actor-critic agents outside OSGi (tools, tests, benchmarks): ND4J from the class path.
 * Not exported: inside OSGi use the {@link SequenceNetworks} and {@link SoftActorCritics} services.
 */
public final class Networks {

    private Networks() {
    }

    /** The networks service as the bundle registers it, with {@code threads} ND4J threads. */
    public static SequenceNetworks outsideOsgi(int threads) {
        return Nd4jRuntime.standalone(threads);
    }

    /** The agents service as the bundle registers it, with {@code threads} ND4J threads. */
    public static SoftActorCritics agentsOutsideOsgi(int threads) {
        return Nd4jRuntime.standalone(threads);
    }
}
