package org.sparoa.engine.internal;

import java.util.List;

import org.sparoa.api.Placement;

/**
 * A validated placement, the policy that made it, why the engine fell back (null when it did not), and the policy's
 * other valid candidates for the measured choice (empty unless asked for).
 */
record ResolvedPlacement(Placement placement, String policy, String fallbackReason, List<Placement> alternatives) {
}
