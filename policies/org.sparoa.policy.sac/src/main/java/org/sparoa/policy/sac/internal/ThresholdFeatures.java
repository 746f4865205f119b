package org.sparoa.policy.sac.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.api.BackendView;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.predict.BackendPair;
import org.sparoa.api.predict.DeviceDescriptor;
import org.sparoa.api.predict.OperatorFeatures;
import org.sparoa.api.predict.OperatorThresholds;
import org.sparoa.api.predict.ThresholdPredictor;

/**
 * The predicted thresholds of a context's operators, by operator name, for the state: for the pair of the first
 * backend whose id contains {@code sparse} and the first other backend. None (the state marks them unknown) without
 * a predictor, an analysis or such a pair, while the predictor is still loading, or when it fails.
 */
final class ThresholdFeatures {
    private static final Logger LOG = LoggerFactory.getLogger(ThresholdFeatures.class);

    private ThresholdFeatures() {
    }

    static Map<String, OperatorThresholds> of(SchedulingContext context, ThresholdPredictor predictor) {
        if (predictor == null || context.analysis().isEmpty()) {
            return Map.of();
        }
        List<BackendView> live = context.backends();
        Optional<BackendView> sparse = live.stream().filter(b -> b.id().contains("sparse")).findFirst();
        Optional<BackendView> dense = live.stream().filter(b -> !b.id().contains("sparse")).findFirst();
        if (sparse.isEmpty() || dense.isEmpty() || !predictor.ready()) {
            return Map.of();
        }
        try {
            List<OperatorFeatures> features = OperatorFeatures.of(context.model().graph().nodes(),
                    context.analysis().get());
            Map<String, OperatorThresholds> out = new HashMap<>();
            for (OperatorThresholds t : predictor.predict(features, new BackendPair(descriptor(sparse.get()),
                    descriptor(dense.get())))) {
                out.put(t.name(), t);
            }
            return out;
        } catch (RuntimeException e) {
            LOG.warn("sac: the threshold predictor failed on {} ({}); deciding without predicted thresholds",
                    context.model().id(), e.toString());
            return Map.of();
        }
    }

    private static DeviceDescriptor descriptor(BackendView b) {
        return DeviceDescriptor.nominal(b.id(), b.kind().name().toLowerCase(Locale.ROOT));
    }
}
