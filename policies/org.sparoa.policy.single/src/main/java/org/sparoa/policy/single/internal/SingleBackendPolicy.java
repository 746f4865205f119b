package org.sparoa.policy.single.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.sparoa.api.BackendView;
import org.sparoa.api.Node;
import org.sparoa.api.Placement;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.SchedulingPolicy;
import org.sparoa.api.SparoaException;
import org.sparoa.api.UnsupportedOperatorException;

/**
 * Policy {@code single}: every operator on one backend, named by the request option {@code backend} or else by
 * the configured default. It never spreads a model: a backend that is not live, or that cannot run some
 * operator, is an error naming what is missing (the engine then falls back to its default policy and says why).
 *
 * <p>No {@code @Modified}: a configuration change re-registers the service, so the engine's cached plans of the
 * old default are dropped with it.
 */
@Component(service = SchedulingPolicy.class, configurationPid = SingleBackendPolicy.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = SchedulingPolicy.PROP_NAME + "=" + SingleBackendPolicy.NAME)
@Designate(ocd = SingleBackendPolicy.Config.class)
public class SingleBackendPolicy implements SchedulingPolicy {
    public static final String NAME = "single";
    public static final String PID = "org.sparoa.policy.single";
    /** Request option: the backend id. */
    public static final String OPTION_BACKEND = "backend";

    @ObjectClassDefinition(name = "SparOA policy: single backend")
    public @interface Config {
        @AttributeDefinition(name = "Backend", description = "Backend id used when a request names none (option backend)")
        String backend() default "ort-cpu";
    }

    private final String defaultBackend;

    @Activate
    public SingleBackendPolicy(Config config) {
        this(config.backend());
    }

    /** For use outside OSGi: {@code defaultBackend} is used when a request gives no {@code backend} option. */
    public SingleBackendPolicy(String defaultBackend) {
        this.defaultBackend = defaultBackend == null ? "" : defaultBackend.trim();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Placement place(SchedulingContext context) {
        String wanted = context.options().getOrDefault(OPTION_BACKEND, defaultBackend).trim();
        List<String> live = context.backends().stream().map(BackendView::id).toList();
        if (wanted.isEmpty()) {
            throw new IllegalArgumentException("policy single needs a backend: give the option backend=<id>; live backends: "
                    + live);
        }
        BackendView backend = context.backends().stream().filter(b -> b.id().equals(wanted)).findFirst()
                .orElseThrow(() -> new SparoaException("policy single: backend '" + wanted + "' is not live; live backends: "
                        + live));
        Map<String, String> placement = new HashMap<>();
        Map<String, Integer> missing = new TreeMap<>();
        for (Node n : context.model().graph().nodes()) {
            if (!backend.supports(n)) {
                missing.merge(n.opType() + (n.domain().isEmpty() ? "" : "@" + n.domain()), 1, Integer::sum);
            }
            placement.put(n.name(), wanted);
        }
        if (!missing.isEmpty()) {
            throw new UnsupportedOperatorException("policy single: backend " + wanted + " cannot run "
                    + missing.values().stream().mapToInt(Integer::intValue).sum() + " operator(s) of "
                    + context.model().id() + ", by type " + missing);
        }
        return new Placement(placement);
    }
}
