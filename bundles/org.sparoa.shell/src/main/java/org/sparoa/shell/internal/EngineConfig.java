package org.sparoa.shell.internal;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.sparoa.engine.ResourceLimits;

/** Reads and writes the engine's configuration (PID {@code org.sparoa.engine}) through ConfigAdmin. */
final class EngineConfig {
    static final String PID = "org.sparoa.engine";
    static final String DEFAULT_POLICY = "defaultPolicy";
    static final String BUILT_IN_POLICY = org.sparoa.api.SchedulingPolicy.FIRST_CAPABLE;

    private EngineConfig() {
    }

    static String defaultPolicy(ConfigurationAdmin configAdmin) throws IOException {
        Configuration c = configAdmin.getConfiguration(PID, null);
        Dictionary<String, Object> props = c.getProperties();
        Object v = props == null ? null : props.get(DEFAULT_POLICY);
        return v == null ? BUILT_IN_POLICY : v.toString();
    }

    /** The configured most elements of one input (the engine's default when none is set). */
    static long maxInputElements(ConfigurationAdmin configAdmin) throws IOException {
        if (configAdmin == null) {
            return ResourceLimits.DEFAULT_MAX_INPUT_ELEMENTS;
        }
        Dictionary<String, Object> props = configAdmin.getConfiguration(PID, null).getProperties();
        Object v = props == null ? null : props.get(ResourceLimits.MAX_INPUT_ELEMENTS);
        try {
            return v == null ? ResourceLimits.DEFAULT_MAX_INPUT_ELEMENTS : Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            return ResourceLimits.DEFAULT_MAX_INPUT_ELEMENTS;
        }
    }

    /** Sets the default policy; ConfigAdmin persists it (Karaf writes it to etc/org.sparoa.engine.cfg). */
    static void setDefaultPolicy(ConfigurationAdmin configAdmin, String policy) throws IOException {
        Configuration c = configAdmin.getConfiguration(PID, null);
        Dictionary<String, Object> props = c.getProperties();
        if (props == null) {
            props = new Hashtable<>();
        }
        props.put(DEFAULT_POLICY, policy);
        c.update(props);
    }
}
