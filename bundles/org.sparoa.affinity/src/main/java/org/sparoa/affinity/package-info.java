/**
 * CPU affinity for the CPU backends: {@link org.sparoa.affinity.CpuSet} is a set of logical CPUs written as Linux
 * writes them ({@code 0-3,6}), {@link org.sparoa.affinity.ThreadAffinity} pins a thread to one. A backend that owns
 * a CPU set of its own runs every thread of its work there, so that a load on another backend's cores (another
 * application, another model) leaves it alone, and a live-state scheduling policy has somewhere to move work to.
 */
@Export
@Version("1.1.0")
package org.sparoa.affinity;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
