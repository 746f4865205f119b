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
}
