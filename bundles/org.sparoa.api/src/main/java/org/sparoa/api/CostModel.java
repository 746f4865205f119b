package org.sparoa.api;

import java.util.OptionalDouble;
import java.util.OptionalLong;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What a scheduling decision knows about costs, measured on the live backends (operator costs are cached across
 * restarts). Times are milliseconds; unknown values are empty. A plan costs, per segment, {@link #segmentMillis}
 * plus its operators' {@link #operatorMillis}, plus {@link #transferMillis} for every tensor handed from one backend
 * to another: {@link PlanCost} adds it up.
 */
@ProviderType
public interface CostModel {

    /** Time of one operator on one backend. */
    OptionalDouble operatorMillis(String backendId, Node node);

    /** Fixed time of running one segment on a backend (its call overhead, apart from any operator); 0 if unknown. */
    default double segmentMillis(String backendId) {
        return 0;
    }

    /** Time to hand a tensor from one backend to another; 0 when both are the same backend. */
    double transferMillis(String fromBackendId, String toBackendId, String tensorName);

    /** Size in bytes of a tensor of the model (inputs, intermediates, outputs), where the shapes are known. */
    OptionalLong tensorBytes(String tensorName);

    /** A cost model that knows nothing: every cost unknown, transfers free. */
    CostModel NONE = new CostModel() {
        @Override
        public OptionalDouble operatorMillis(String backendId, Node node) {
            return OptionalDouble.empty();
        }

        @Override
        public double transferMillis(String fromBackendId, String toBackendId, String tensorName) {
            return 0;
        }

        @Override
        public OptionalLong tensorBytes(String tensorName) {
            return OptionalLong.empty();
        }
    };
}
