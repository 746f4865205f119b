package org.sparoa.backend.cuda.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.api.CompiledSegment;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.DeviceKind;
import org.sparoa.api.DeviceState;
import org.sparoa.api.Graph;
import org.sparoa.api.Node;
import org.sparoa.api.Segment;
import org.sparoa.api.Tensor;
import org.sparoa.api.UnsupportedOperatorException;

/**
 * The {@code cuda-gpu} backend on one GPU. {@link CudaBackendComponent} creates and registers it where a driver
 * and the configured device exist; outside OSGi (benchmarks, the device check) use {@link #open}.
 */
public final class CudaGpuBackend implements DeviceBackend, AutoCloseable {
    public static final String ID = "cuda-gpu";
    private static final Logger LOG = LoggerFactory.getLogger(CudaGpuBackend.class);

    private final GpuDevice device;
    private final double denseBelowSparsity;
    private final boolean zeroCopy;
    private final GpuSensors sensors;
    private final ScheduledExecutorService poller;
    private final String description;
    private volatile DeviceState state;

    CudaGpuBackend(CudaDriver driver, DeviceInfo info, int streams, long poolBytes, double denseBelowSparsity,
                   int pollMillis) {
        this(driver, info, streams, poolBytes, denseBelowSparsity, pollMillis, "auto");
    }

    /** {@code zeroCopy}: auto (on for an integrated GPU), on or off. */
    CudaGpuBackend(CudaDriver driver, DeviceInfo info, int streams, long poolBytes, double denseBelowSparsity,
                   int pollMillis, String zeroCopy) {
        this.zeroCopy = switch (zeroCopy.toLowerCase(java.util.Locale.ROOT)) {
            case "auto" -> info.integrated();
            case "on", "true" -> true;
            case "off", "false" -> false;
            default -> throw new IllegalArgumentException("zeroCopy must be auto, on or off, got '" + zeroCopy + "'");
        };
        this.device = new GpuDevice(driver, info, streams, poolBytes);
        this.denseBelowSparsity = denseBelowSparsity;
        this.description = String.format("%s, compute %s, %d SMs, %d MiB%s, driver %s (%s), %d streams%s", info.name(),
                info.computeCapability(), info.multiprocessors(), info.totalMemoryBytes() >> 20,
                info.integrated() ? " shared with the CPU" : "", DriverConstants.versionString(driver.driverVersion()),
                driver.binding(), streams, this.zeroCopy ? ", zero-copy I/O" : "");
        this.state = new DeviceState(true, -1, 0, -1, Double.NaN, Double.NaN, description);
        this.sensors = GpuSensors.start(info.integrated(), info.ordinal(), pollMillis, Path.of("/sys"));
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cuda-gpu-state");
            t.setDaemon(true);
            return t;
        });
        poller.scheduleWithFixedDelay(this::refreshState, 0, Math.max(100, pollMillis), TimeUnit.MILLISECONDS);
        LOG.info("cuda-gpu backend ready: {}", description);
    }

    /**
     * Opens the backend outside OSGi, or throws naming why there is no GPU. {@code denseBelowSparsity} above 1
     * keeps every weight dense, 0 makes every one CSR.
     */
    public static CudaGpuBackend open(int deviceOrdinal, int streams, long poolBytes, double denseBelowSparsity) {
        return open(deviceOrdinal, streams, poolBytes, denseBelowSparsity, "auto");
    }

    /** As {@link #open(int, int, long, double)}; {@code zeroCopy}: auto (on for an integrated GPU), on or off. */
    public static CudaGpuBackend open(int deviceOrdinal, int streams, long poolBytes, double denseBelowSparsity,
                                      String zeroCopy) {
        CudaDrivers.Probe p = CudaDrivers.probe("auto", deviceOrdinal);
        if (!p.found()) {
            throw new IllegalStateException("cuda-gpu: " + p.why());
        }
        return new CudaGpuBackend(p.driver(), p.device(), streams, poolBytes, denseBelowSparsity, 1000, zeroCopy);
    }

    /** The operator types cuda-gpu claims (what {@link #supportedOperators()} returns), without a GPU. */
    public static Set<String> operators() {
        return CudaOperatorSupport.OPERATORS;
    }

    /** Why there is no usable GPU here, or empty when there is one (for tests and the device check). */
    public static String whyNoGpu() {
        CudaDrivers.Probe p = CudaDrivers.probe("auto", 0);
        return p.found() ? "" : p.why();
    }

    /**
     * Milliseconds per run of a segment this backend compiled, kernels alone (inputs uploaded once, nothing copied
     * back), averaged over {@code repeats} back-to-back runs: for benchmarks of the kernels themselves.
     */
    public double kernelMillis(CompiledSegment compiled, Map<String, Tensor> inputs, int repeats) {
        return ((CudaCompiledSegment) compiled).kernelMillis(inputs, repeats);
    }

    /** The kernels a compiled segment launches for these inputs, in order (e.g. to see whether CSR was chosen). */
    public List<String> kernels(CompiledSegment compiled, Map<String, Tensor> inputs) {
        return ((CudaCompiledSegment) compiled).kernels(inputs);
    }

    private void refreshState() {
        try {
            GpuSensors.Reading r = sensors.latest();
            long[] mem = device.memoryInfo();
            state = new DeviceState(true, r.utilisation(), device.queueDepth(), mem[0], r.powerWatts(),
                    r.temperatureCelsius(), description + ", pooled " + (device.pooledBytes() >> 20) + " MiB");
        } catch (RuntimeException e) {
            state = new DeviceState(false, -1, device.queueDepth(), -1, Double.NaN, Double.NaN,
                    description + ": " + e.getMessage());
        }
    }

    GpuDevice device() {
        return device;
    }

    double denseBelowSparsity() {
        return denseBelowSparsity;
    }

    boolean zeroCopy() {
        return zeroCopy;
    }

    public String description() {
        return description;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public DeviceKind kind() {
        return DeviceKind.GPU;
    }

    @Override
    public Set<String> supportedOperators() {
        return CudaOperatorSupport.OPERATORS;
    }

    @Override
    public boolean supports(Node node, Graph graph) {
        return CudaOperatorSupport.whyNot(node, graph).isEmpty();
    }

    @Override
    public CompiledSegment compile(Segment segment) {
        List<String> missing = new ArrayList<>();
        for (Node n : segment.nodes()) {
            CudaOperatorSupport.whyNot(n, segment.graph())
                    .ifPresent(why -> missing.add(n.opType() + " ('" + n.name() + "': " + why + ")"));
        }
        if (!missing.isEmpty()) {
            throw new UnsupportedOperatorException("backend " + ID + " cannot run " + missing.size() + " operator(s) of "
                    + segment + ": " + String.join(", ", missing));
        }
        return new CudaCompiledSegment(segment, this);
    }

    @Override
    public DeviceState state() {
        DeviceState s = state;
        return new DeviceState(s.available(), s.utilisation(), device.queueDepth(), s.freeMemoryBytes(), s.powerWatts(),
                s.temperatureCelsius(), s.detail());
    }

    @Override
    public void close() {
        poller.shutdownNow();
        sensors.close();
        device.close();
    }
}
