package org.sparoa.policy.sac.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "SparOA SAC scheduling policy",
        description = "Places operators with a trained soft actor-critic agent")
public @interface SacConfig {

    @AttributeDefinition(name = "Weights directory",
            description = "Where sparoa:train sac saves versioned weights (sac-vNNNN.weights) and the policy reads "
                    + "the newest; empty = ${karaf.data}/sparoa/sac. Until weights are trained there, the default "
                    + "shipped inside the bundle answers")
    String directory() default "";
}
