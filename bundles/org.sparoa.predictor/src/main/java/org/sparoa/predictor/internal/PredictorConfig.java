package org.sparoa.predictor.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "SparOA threshold predictor",
        description = "Per-operator sparsity and intensity thresholds from a Transformer + LSTM over the model's operators")
public @interface PredictorConfig {

    @AttributeDefinition(name = "Model file",
            description = "Trained predictor; empty = ${karaf.data}/sparoa/predictor/threshold-predictor.bin. Until a "
                    + "model is trained there, the default shipped inside the bundle answers")
    String file() default "";

    @AttributeDefinition(name = "Threads",
            description = "How many of the ensemble's networks predict at once (1: one after the other, on the "
                    + "caller's thread); predictions are made when a plan is built, not per request")
    int threads() default 2;
}
