package org.sparoa.backend.cuda.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Finds a working driver binding, once. Where there is no driver the first call of a binding throws an
 * {@link Error} ({@link UnsatisfiedLinkError}, later {@link NoClassDefFoundError}): every attempt is wrapped in
 * {@code catch (Throwable)} and turned into a reason.
 */
final class CudaDrivers {
    /** A driver that initialised and has the device, or why there is none. */
    record Probe(CudaDriver driver, DeviceInfo device, String why) {
        boolean found() {
            return driver != null;
        }
    }

    private CudaDrivers() {
    }

    /** {@code binding}: auto, jcuda or jna. Auto takes JCuda where its natives exist (x86-64), else JNA. */
    static Probe probe(String binding, int ordinal) {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        boolean x86 = arch.equals("amd64") || arch.equals("x86_64");
        boolean jcudaNatives = x86 && (os.contains("linux") || os.contains("windows"));
        List<String> order = new ArrayList<>();
        switch (binding.toLowerCase(Locale.ROOT)) {
            case "jcuda" -> order.add("jcuda");
            case "jna" -> order.add("jna");
            case "auto" -> {
                if (jcudaNatives) {
                    order.add("jcuda");
                }
                order.add("jna");
            }
            default -> {
                return new Probe(null, null, "binding must be auto, jcuda or jna, got '" + binding + "'");
            }
        }
        List<String> reasons = new ArrayList<>();
        for (String b : order) {
            try {
                CudaDriver d = b.equals("jcuda") ? new JCudaDriverApi()
                        : new JnaDriverApi(os.contains("windows") ? "nvcuda" : "libcuda.so.1");
                d.init();
                int count = d.deviceCount();
                if (ordinal < 0 || ordinal >= count) {
                    return new Probe(null, null, "the driver (" + b + ") sees " + count + " CUDA device(s); device "
                            + ordinal + " is configured");
                }
                return new Probe(d, d.device(ordinal), "");
            } catch (Throwable t) { // NOPMD: no driver shows as an Error (UnsatisfiedLinkError), which must not escape
                reasons.add(b + ": " + oneLine(t));
            }
        }
        return new Probe(null, null, "no usable CUDA driver on " + os + "/" + arch + " (" + String.join("; ", reasons) + ")");
    }

    /** The error's type and the first line of its message (JCuda's load errors run over many lines). */
    static String oneLine(Throwable t) {
        String m = t.getMessage() == null ? "" : t.getMessage().strip();
        int nl = m.indexOf('\n');
        return t.getClass().getSimpleName() + (m.isEmpty() ? "" : ": " + (nl < 0 ? m : m.substring(0, nl).strip()));
    }
}
