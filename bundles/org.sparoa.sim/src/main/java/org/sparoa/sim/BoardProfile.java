package org.sparoa.sim;

import java.util.List;
import java.util.Objects;

/**
 * A simulated board in one power mode: its processors, the DRAM they share ({@code dramBytesPerSecond}), and the
 * cost of handing a tensor from one processor to another over that DRAM: a copy at the transfer efficiency plus a
 * synchronisation ({@code handOverSeconds}). {@code sources} lists where the figures come from.
 */
public record BoardProfile(String board, String mode, List<SimulatedDevice> devices, double dramBytesPerSecond,
                           Span transferEfficiency, Span handOverSeconds, List<String> sources) {

    public BoardProfile {
        Objects.requireNonNull(board, "board");
        Objects.requireNonNull(mode, "mode");
        devices = List.copyOf(devices);
        sources = List.copyOf(sources);
        if (devices.isEmpty()) {
            throw new IllegalArgumentException(board + ":" + mode + " has no devices");
        }
    }

    /** {@code agx-orin:MAXN}. */
    public String name() {
        return board + ":" + mode;
    }

    public SimulatedDevice device(String id) {
        return devices.stream().filter(d -> d.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(name() + " has no device '" + id + "'; it has "
                        + devices.stream().map(SimulatedDevice::id).toList()));
    }

    /** The device that holds a request's inputs and outputs: the first CPU. */
    public SimulatedDevice host() {
        return devices.stream().filter(d -> d.kind() == org.sparoa.api.DeviceKind.CPU).findFirst()
                .orElse(devices.get(0));
    }

    /** The same board with one device replaced (by id). */
    public BoardProfile with(SimulatedDevice replacement) {
        return new BoardProfile(board, mode, devices.stream()
                .map(d -> d.id().equals(replacement.id()) ? replacement : d).toList(),
                dramBytesPerSecond, transferEfficiency, handOverSeconds, sources);
    }
}
