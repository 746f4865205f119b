package org.sparoa.api;

import java.util.OptionalDouble;
import java.util.OptionalLong;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What a scheduling decision knows about costs, from measurements on the live backends (cached across restarts)
 * or the backends' own estimates. Times are milliseconds; unknown values are empty.
 */
@ProviderType
public interface CostModel {

    /** Time of one operator on one backend. */
    OptionalDouble operatorMillis(String backendId, Node node);

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
