package org.sparoa.ml.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "SparOA ML runtime (ND4J)",
        description = "The embedded ND4J/SameDiff runtime that trains and runs the threshold predictor and the"
                + " soft actor-critic agents")
public @interface MlConfig {

    @AttributeDefinition(name = "Threads",
            description = "ND4J threads for training and inference; small, so that serving keeps its cores")
    int threads() default 1;
}
