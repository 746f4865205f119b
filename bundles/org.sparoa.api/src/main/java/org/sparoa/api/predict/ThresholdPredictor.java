package org.sparoa.api.predict;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Predicts, for every operator of a model in topological order, the sparsity and intensity thresholds at which its
 * best backend of {@code pair} changes. The operators are read as one sequence (a neighbour's type and shape inform
 * an operator's thresholds). Answers one {@link OperatorThresholds} per operator, in the same order.
 */
@ProviderType
public interface ThresholdPredictor {

    List<OperatorThresholds> predict(List<OperatorFeatures> operators, BackendPair pair);

    /** The trained model now answering; it changes when a newer one is trained or saved (hot reload). */
    PredictorInfo info();

    /**
     * Whether {@link #predict} answers without first loading its model (the first prediction may load a numerical
     * library's natives, seconds). When not ready, the call starts the loading in the background and returns at
     * once: a caller with a time budget (a scheduling policy) uses its fallback this time.
     */
    default boolean ready() {
        return true;
    }
}
