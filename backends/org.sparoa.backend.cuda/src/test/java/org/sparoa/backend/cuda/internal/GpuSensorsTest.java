package org.sparoa.backend.cuda.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing of nvidia-smi's CSV lines and of a Jetson's sysfs (a tree laid out as on an Orin, in a temp folder). */
class GpuSensorsTest {

    @Test
    void nvidiaSmiLinesGiveUtilisationPowerAndTemperature() {
        GpuSensors.Reading r = GpuSensors.parseSmiLine("37, 112.45, 51");
        assertEquals(0.37, r.utilisation(), 1e-12);
        assertEquals(112.45, r.powerWatts(), 1e-12);
        assertEquals(51, r.temperatureCelsius(), 1e-12);
        GpuSensors.Reading na = GpuSensors.parseSmiLine("12, [N/A], 40");
        assertTrue(Double.isNaN(na.powerWatts()));
        assertEquals(0.12, na.utilisation(), 1e-12);
        assertNull(GpuSensors.parseSmiLine("[N/A], [N/A], [N/A]"), "a line with nothing known is no reading");
        assertNull(GpuSensors.parseSmiLine("NVIDIA-SMI has failed"));
    }

    @Test
    void jetsonSysfsGivesLoadGpuZoneAndGpuRail(@TempDir Path root) throws Exception {
        write(root.resolve("devices/platform/gpu.0/load"), "734\n");
        write(root.resolve("class/thermal/thermal_zone0/type"), "cpu-thermal\n");
        write(root.resolve("class/thermal/thermal_zone0/temp"), "61000\n");
        write(root.resolve("class/thermal/thermal_zone1/type"), "gpu-thermal\n");
        write(root.resolve("class/thermal/thermal_zone1/temp"), "48500\n");
        Path hw = root.resolve("class/hwmon/hwmon1");
        write(hw.resolve("in1_label"), "VDD_IN\n");
        write(hw.resolve("in1_input"), "5000\n");
        write(hw.resolve("curr1_input"), "2000\n");
        write(hw.resolve("in2_label"), "VDD_GPU_SOC\n");
        write(hw.resolve("in2_input"), "5000\n");
        write(hw.resolve("curr2_input"), "1200\n");
        GpuSensors.Reading r = GpuSensors.readTegraSysfs(root);
        assertEquals(0.734, r.utilisation(), 1e-12);
        assertEquals(48.5, r.temperatureCelsius(), 1e-12);
        assertEquals(6.0, r.powerWatts(), 1e-12, "VDD_GPU_SOC: 5 V x 1.2 A");
    }

    @Test
    void anEmptySysfsIsUnknownNotAnError(@TempDir Path root) {
        GpuSensors.Reading r = GpuSensors.readTegraSysfs(root);
        assertTrue(Double.isNaN(r.utilisation()) && Double.isNaN(r.powerWatts()) && Double.isNaN(r.temperatureCelsius()));
    }

    private static void write(Path p, String s) throws Exception {
        Files.createDirectories(p.getParent());
        Files.writeString(p, s);
    }
}
