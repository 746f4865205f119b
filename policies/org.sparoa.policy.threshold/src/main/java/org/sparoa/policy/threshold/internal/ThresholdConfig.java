package org.sparoa.policy.threshold.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "SparOA policy: threshold (quadrant rule)",
        description = "Sparse and light operators on the sparse CPU backend, the rest on the dense/fast backend. "
                + "Request options of the same names override these values for one request.")
public @interface ThresholdConfig {

    @AttributeDefinition(name = "Sparsity threshold",
            description = "s*: an operator with sparsity >= s* is sparse; negative = the analyzer's default")
    double sparsity() default -1;

    @AttributeDefinition(name = "Intensity threshold",
            description = "i* in FLOPs per byte: an operator with intensity < i* is light; negative = the analyzer's default")
    double intensity() default -1;

    @AttributeDefinition(name = "Sparse backend", description = "Backend id of the sparse CPU kernels")
    String sparseBackend() default "sparse-cpu";

    @AttributeDefinition(name = "Dense backend",
            description = "Backend id for the other operators; empty = the best-ranked GPU backend, else ort-cpu, "
                    + "else the best-ranked other backend")
    String denseBackend() default "";

    @AttributeDefinition(name = "Merge islands",
            description = "Move a run of operators into its neighbours' backend when the cost model says the "
                    + "hand-over costs at least what the run gains")
    boolean mergeIslands() default true;

    @AttributeDefinition(name = "Measure costs",
            description = "Have the engine profile operators before the first decision (needed to merge islands)")
    boolean sparoa_policy_costs() default true;
}
