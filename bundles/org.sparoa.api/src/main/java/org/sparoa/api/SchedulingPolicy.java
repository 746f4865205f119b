package org.sparoa.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A placement strategy: the plugin SPI for scheduling. Registered as an OSGi service with the property
 * {@value #PROP_NAME}. The engine validates every placement and falls back to its default policy when a policy
 * throws, times out, or places an operator on a backend that is not live or cannot run it.
 */
@ConsumerType
public interface SchedulingPolicy {
    String PROP_NAME = "sparoa.policy";

    String name();

    Placement place(SchedulingContext context) throws Exception;
}
