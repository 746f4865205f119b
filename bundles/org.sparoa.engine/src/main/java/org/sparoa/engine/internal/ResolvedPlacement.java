package org.sparoa.engine.internal;

import org.sparoa.api.Placement;

/** A validated placement, the policy that made it, and why the engine fell back (null when it did not). */
record ResolvedPlacement(Placement placement, String policy, String fallbackReason) {
}
