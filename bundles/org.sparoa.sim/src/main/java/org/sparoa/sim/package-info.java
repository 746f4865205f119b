/**
 * A roofline simulator of Jetson-class boards, for training and what-if questions, never for serving:
 * {@link org.sparoa.sim.BoardProfiles} holds the boards and power modes (AGX Orin, Orin Nano, and a hypothetical
 * NPU), {@link org.sparoa.sim.RooflineSimulator} says how long an operator or a hand-over would take on a simulated
 * device, as a {@link org.sparoa.sim.TimeRange}, {@link org.sparoa.sim.PlanSimulator} how long a whole placement
 * would take, {@link org.sparoa.sim.SimulatedBackends} presents a board to a scheduling policy, and
 * {@link org.sparoa.sim.ProfileCalibration} fits a device's efficiency to times measured on a real device of its
 * kind. Every time this package produces is simulated, and everything that prints one says so.
 */
@Export
@Version("1.2.0")
package org.sparoa.sim;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
