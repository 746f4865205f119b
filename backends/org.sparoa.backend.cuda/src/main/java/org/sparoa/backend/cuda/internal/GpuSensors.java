package org.sparoa.backend.cuda.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live GPU readings from outside the driver API, refreshed in the background: on x86 one long-running
 * {@code nvidia-smi --query-gpu=... -lms N} process whose lines are parsed as they come; on Jetson (where NVML and
 * nvidia-smi report N/A) the sysfs files tegrastats reads: GPU load, the GPU thermal zone, the INA3221 power rails.
 */
final class GpuSensors implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GpuSensors.class);

    /** One reading; NaN where unknown. */
    record Reading(double utilisation, double powerWatts, double temperatureCelsius, String source) {
        static final Reading NONE = new Reading(Double.NaN, Double.NaN, Double.NaN, "none");
    }

    private final AtomicReference<Reading> latest = new AtomicReference<>(Reading.NONE);
    private final Path sysfsRoot;
    private volatile Process smi;

    private GpuSensors(Path sysfsRoot) {
        this.sysfsRoot = sysfsRoot;
    }

    /** Jetson (integrated GPU): sysfs under {@code root}; else nvidia-smi for {@code ordinal}, every {@code pollMillis}. */
    static GpuSensors start(boolean integrated, int ordinal, int pollMillis, Path sysfsRoot) {
        GpuSensors s = new GpuSensors(integrated ? sysfsRoot : null);
        if (!integrated) {
            s.startSmi(ordinal, pollMillis);
        }
        return s;
    }

    Reading latest() {
        if (sysfsRoot != null) {
            latest.set(readTegraSysfs(sysfsRoot));
        }
        return latest.get();
    }

    private void startSmi(int ordinal, int pollMillis) {
        try {
            Process p = new ProcessBuilder("nvidia-smi", "-i", Integer.toString(ordinal),
                    "--query-gpu=utilization.gpu,power.draw,temperature.gpu", "--format=csv,noheader,nounits",
                    "-lms", Integer.toString(Math.max(100, pollMillis))).redirectErrorStream(true).start();
            smi = p;
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        Reading reading = parseSmiLine(line);
                        if (reading != null) {
                            latest.set(reading);
                        }
                    }
                } catch (IOException e) {
                    LOG.debug("nvidia-smi output ended: {}", e.toString());
                }
            }, "cuda-gpu-nvidia-smi");
            t.setDaemon(true);
            t.start();
        } catch (IOException e) {
            LOG.info("cuda-gpu: no nvidia-smi ({}); utilisation, power and temperature stay unknown", e.getMessage());
        }
    }

    /** {@code utilization.gpu, power.draw, temperature.gpu} without units; "[N/A]" fields are NaN. */
    static Reading parseSmiLine(String line) {
        String[] f = line.split(",");
        if (f.length < 3) {
            return null;
        }
        double util = number(f[0]);
        double power = number(f[1]);
        double temp = number(f[2]);
        if (Double.isNaN(util) && Double.isNaN(power) && Double.isNaN(temp)) {
            return null;
        }
        return new Reading(Double.isNaN(util) ? Double.NaN : util / 100.0, power, temp, "nvidia-smi");
    }

    private static double number(String s) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /**
     * Jetson sysfs: {@code devices/gpu.0/load} or {@code devices/platform/gpu.0/load} (per mille), the thermal zone
     * whose type starts with "gpu" (milli-degrees), and the INA3221 rail labelled VDD_GPU_SOC (or VDD_IN) as
     * {@code inN_input} (mV) times {@code currN_input} (mA).
     */
    static Reading readTegraSysfs(Path root) {
        double util = Double.NaN;
        for (String p : List.of("devices/gpu.0/load", "devices/platform/gpu.0/load",
                "devices/platform/17000000.gpu/load", "devices/platform/bus@0/17000000.gpu/load")) {
            double v = readNumber(root.resolve(p));
            if (!Double.isNaN(v)) {
                util = v / 1000.0;
                break;
            }
        }
        double temp = Double.NaN;
        try (Stream<Path> zones = list(root.resolve("class/thermal"))) {
            for (Path z : (Iterable<Path>) zones::iterator) {
                String type = readString(z.resolve("type")).toLowerCase(Locale.ROOT);
                if (type.startsWith("gpu")) {
                    temp = readNumber(z.resolve("temp")) / 1000.0;
                    break;
                }
            }
        }
        double power = Double.NaN;
        try (Stream<Path> hwmons = list(root.resolve("class/hwmon"))) {
            for (Path h : (Iterable<Path>) hwmons::iterator) {
                for (String rail : List.of("VDD_GPU_SOC", "VDD_IN")) {
                    double w = railWatts(h, rail);
                    if (!Double.isNaN(w)) {
                        power = w;
                        break;
                    }
                }
                if (!Double.isNaN(power)) {
                    break;
                }
            }
        }
        return new Reading(util, power, temp, "sysfs");
    }

    private static double railWatts(Path hwmon, String rail) {
        for (int i = 1; i <= 8; i++) {
            if (readString(hwmon.resolve("in" + i + "_label")).equals(rail)) {
                double mv = readNumber(hwmon.resolve("in" + i + "_input"));
                double ma = readNumber(hwmon.resolve("curr" + i + "_input"));
                return mv * ma / 1e6;
            }
        }
        return Double.NaN;
    }

    private static Stream<Path> list(Path dir) {
        try {
            return Files.isDirectory(dir) ? Files.list(dir).sorted() : Stream.empty();
        } catch (IOException e) {
            return Stream.empty();
        }
    }

    private static String readString(Path p) {
        try {
            return Files.isReadable(p) ? Files.readString(p).trim() : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static double readNumber(Path p) {
        String s = readString(p);
        return s.isEmpty() ? Double.NaN : number(s);
    }

    @Override
    public void close() {
        Process p = smi;
        if (p != null) {
            p.destroy();
        }
    }
}
